#!/usr/bin/env bash
# The registry check must fail when a committed file and services/registry.tsv disagree: run against
# altered copies (a moved port, a new shipped service nobody deployed, a service no longer routed, a
# service left out of the architecture's table) it names the file, the service and the field.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
status=0

expect_failure() { # description, expected text, check.py arguments...
    local what=$1 expected=$2
    shift 2
    if python3 "$HERE/check.py" "$@" >"$TMP/out" 2>&1; then
        echo "FAIL: $what: the check passed"
        status=1
    elif grep -qF -- "$expected" "$TMP/out"; then
        echo "ok: $what: rejected ($expected)"
    else
        echo "FAIL: $what: expected '$expected' in:"
        cat "$TMP/out"
        status=1
    fi
}

python3 "$HERE/check.py" --root "$ROOT" >/dev/null || {
    echo "FAIL: the committed files do not agree with the registry to begin with"
    python3 "$HERE/check.py" --root "$ROOT"
    exit 1
}

# clans moved to 7119: every file that names its port disagrees.
sed -E 's/^clans([[:space:]]+)7109([[:space:]]+)9109/clans\17119\29119/' "$ROOT/services/registry.tsv" >"$TMP/moved.tsv"
expect_failure "a moved gRPC port" "docker-compose.yml: clans: GRPC_LISTEN: '0.0.0.0:7109', the registry says '0.0.0.0:7119'" \
    --root "$ROOT" --registry "$TMP/moved.tsv"
expect_failure "a moved port in the manifests" "deploy/k8s/base/clans.yaml: clans: containerPort grpc: 7109, the registry says 7119" \
    --root "$ROOT" --registry "$TMP/moved.tsv"
expect_failure "a moved port in the architecture" "docs/ARCHITECTURE.md: clans: port: '7109', the registry says '7119'" \
    --root "$ROOT" --registry "$TMP/moved.tsv"
expect_failure "a moved port in operations" "docs/OPERATIONS.md: clans: metrics: '9109', the registry says '9119'" \
    --root "$ROOT" --registry "$TMP/moved.tsv"
expect_failure "a moved port called by another service" "deploy/k8s/base/kustomization.yaml: jobs: CLANS_GRPC_TARGET" \
    --root "$ROOT" --registry "$TMP/moved.tsv"

# A shipped service nobody added to compose, the manifests or the image.
cp "$ROOT/services/registry.tsv" "$TMP/new.tsv"
printf 'ratings\t7110\t9110\tratings\tjobs\t-\tno\tyes\n' >>"$TMP/new.tsv"
expect_failure "a shipped service missing from compose" "docker-compose.yml: ratings: service: absent" \
    --root "$ROOT" --registry "$TMP/new.tsv"
expect_failure "a shipped service missing from the image" "deploy/docker/defaults.sh: ratings: marketplace_offset: absent" \
    --root "$ROOT" --registry "$TMP/new.tsv"
expect_failure "a service missing from the architecture" "docs/ARCHITECTURE.md: ratings: Services table: no row" \
    --root "$ROOT" --registry "$TMP/new.tsv"

# workroom no longer routed by the gateway.
sed -E 's/^(workroom([[:space:]]+[^[:space:]]+){5}[[:space:]]+)yes/\1no/' "$ROOT/services/registry.tsv" >"$TMP/unrouted.tsv"
expect_failure "a service the gateway no longer routes" \
    "docker-compose.yml: gateway: GATEWAY_SERVICES: 'auth,jobs,contracts,payments,notifications,disputes,workroom,clans', the registry says 'auth,jobs,contracts,payments,notifications,disputes,clans'" \
    --root "$ROOT" --registry "$TMP/unrouted.tsv"

# A compose file that lost its payments database.
mkdir -p "$TMP/root/deploy/k8s/overlays/example" "$TMP/root/services"
cp -r "$ROOT/deploy/docker" "$TMP/root/deploy/"
cp -r "$ROOT/deploy/k8s/base" "$TMP/root/deploy/k8s/"
cp "$ROOT/deploy/k8s/overlays/example/kustomization.yaml" "$TMP/root/deploy/k8s/overlays/example/"
cp -r "$ROOT/docs" "$TMP/root/"
cp "$ROOT/services/registry.tsv" "$TMP/root/services/"
python3 - "$ROOT/docker-compose.yml" "$TMP/root/docker-compose.yml" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
del d["services"]["postgres-payments"]
d["services"]["payments"]["environment"]["METRICS_LISTEN"] = "0.0.0.0:9199"
yaml.safe_dump(d, open(sys.argv[2], "w"))
PY
expect_failure "a compose file without a service's database" "docker-compose.yml: payments: service postgres-payments: absent" \
    --root "$TMP/root"
expect_failure "a compose file with a wrong metrics port" \
    "docker-compose.yml: payments: METRICS_LISTEN: '0.0.0.0:9199', the registry says '0.0.0.0:9104'" --root "$TMP/root"

exit $status
