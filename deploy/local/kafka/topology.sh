# Who publishes and who consumes on the event bus: read by cluster.sh (topics, SCRAM users, ACLs),
# from services/registry.tsv. Every service owns the topic <service>.events.v1; a consumer reads the
# topics of the services its consumes column names, with consumer groups named after itself, and
# copies its dead letters to <topic>.dlq.
# shellcheck source=deploy/registry/registry.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../registry/registry.sh"
# shellcheck disable=SC2034
KAFKA_PUBLISHERS=("${REGISTRY_SERVICES[@]}")
KAFKA_CONSUMES=()
KAFKA_CONSUMERS=()
for _svc in "${REGISTRY_SERVICES[@]}"; do
    [ -n "${REGISTRY_CONSUMES[$_svc]}" ] || continue
    KAFKA_CONSUMES+=("$_svc:${REGISTRY_CONSUMES[$_svc]}")
    KAFKA_CONSUMERS+=("$_svc")
done
unset _svc
