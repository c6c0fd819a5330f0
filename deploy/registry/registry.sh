# Sourced by the local stack's scripts: reads services/registry.tsv (or MARKETPLACE_REGISTRY) into
#   REGISTRY_SERVICES        the services, in the table's order (the start order)
#   REGISTRY_GRPC[s]         default gRPC port          REGISTRY_METRICS[s]  default metrics port
#   REGISTRY_PROTOS[s]       proto packages             REGISTRY_CONSUMES[s] services whose topics it reads
#   REGISTRY_CALLS[s]        services it calls          (lists space-separated, empty for none)
#   REGISTRY_GATEWAY[s]      yes/no                     REGISTRY_DEPLOY[s]   yes/no
# A malformed row is reported with its line number and the sourcing script exits with status 1.
# shellcheck disable=SC2034
REGISTRY_FILE=${MARKETPLACE_REGISTRY:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/services/registry.tsv}
REGISTRY_SERVICES=()
declare -A REGISTRY_GRPC=() REGISTRY_METRICS=() REGISTRY_PROTOS=() REGISTRY_CONSUMES=() REGISTRY_CALLS=() \
    REGISTRY_GATEWAY=() REGISTRY_DEPLOY=()

registry_list() { [ "$1" = - ] || echo "${1//,/ }"; }

registry_read() {
    local n=0 line cols
    [ -r "$REGISTRY_FILE" ] || {
        echo "registry: cannot read $REGISTRY_FILE" >&2
        return 1
    }
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        read -r -a cols <<<"$line"
        if [ "${#cols[@]}" -ne 8 ]; then
            echo "registry: $REGISTRY_FILE:$n: ${#cols[@]} columns, expected 8" >&2
            return 1
        fi
        local s=${cols[0]}
        if ! [[ ${cols[1]} =~ ^[0-9]+$ && ${cols[2]} =~ ^[0-9]+$ ]]; then
            echo "registry: $REGISTRY_FILE:$n: $s: the ports must be numbers" >&2
            return 1
        fi
        REGISTRY_SERVICES+=("$s")
        REGISTRY_GRPC[$s]=${cols[1]}
        REGISTRY_METRICS[$s]=${cols[2]}
        REGISTRY_PROTOS[$s]=$(registry_list "${cols[3]}")
        REGISTRY_CONSUMES[$s]=$(registry_list "${cols[4]}")
        REGISTRY_CALLS[$s]=$(registry_list "${cols[5]}")
        REGISTRY_GATEWAY[$s]=${cols[6]}
        REGISTRY_DEPLOY[$s]=${cols[7]}
    done <"$REGISTRY_FILE"
}

registry_read || exit 1
