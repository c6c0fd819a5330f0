#!/usr/bin/env bash
# Validates docker-compose.yml offline with docker-compose (no engine needed):
#   - with every value of .env.example filled in, `docker-compose -p marketplace config -q` passes;
#   - with .env.example as shipped (secrets empty), it refuses and names the missing variable;
#   - every ${VAR:?...} the file requires is documented in .env.example;
#   - the expected services are there, each service and the gateway is built from
#     deploy/docker/Dockerfile with its SERVICE, has a health check and waits for healthy dependencies,
#     and only the gateway publishes a port; payments names its payment provider, and no other
#     service runs in development mode.
# usage: deploy/docker/check-compose.sh [COMPOSE_FILE]
#   COMPOSE_FILE defaults to the repository's docker-compose.yml; prints what it checked, exit 1 on a failure.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COMPOSE=${DOCKER_COMPOSE:-docker-compose}
command -v "$COMPOSE" >/dev/null || { echo "check-compose: $COMPOSE is not installed (make deps installs it)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

FILE=${1:-$REPO/docker-compose.yml}
[ -f "$FILE" ] || { echo "check-compose: no such file: $FILE" >&2; exit 1; }
# The project folder is a copy holding only the compose file, so a developer's own .env is never read.
mkdir -p "$TMP/project"
cp "$FILE" "$TMP/project/docker-compose.yml"
compose() { (cd "$TMP/project" && "$COMPOSE" -p marketplace --env-file "$1" -f docker-compose.yml "${@:2}"); }

# 1. The shipped example, unfilled: refused, naming a variable.
if compose "$REPO/.env.example" config -q >"$TMP/unfilled.out" 2>&1; then
    fail "config passed with the secrets of .env.example empty"
elif grep -q 'set [A-Z_]* (see .env.example)' "$TMP/unfilled.out"; then
    ok "unfilled .env.example is refused: $(grep -o 'set [A-Z_]* (see .env.example)' "$TMP/unfilled.out" | head -n 1)"
else
    fail "config failed without naming the missing variable: $(cat "$TMP/unfilled.out")"
fi

# 2. Filled: passes.
sed -E 's/^([A-Z_]+)=$/\1=check-value-\1-0123456789/' "$REPO/.env.example" >"$TMP/filled.env"
if compose "$TMP/filled.env" config -q >"$TMP/filled.out" 2>&1; then
    ok "docker-compose -p marketplace config -q passes with .env.example filled in"
else
    fail "config -q with .env.example filled in: $(cat "$TMP/filled.out")"
fi

# 3. Every required variable is documented.
for var in $(grep -oE '\$\{[A-Z_]+:\?' "$FILE" | sed -E 's/^\$\{([A-Z_]+):\?$/\1/' | sort -u); do
    if grep -qE "^$var=" "$REPO/.env.example"; then
        ok "$var is in .env.example"
    else
        fail "$var is required by docker-compose.yml but not in .env.example"
    fi
done

# 4. The rendered file's shape.
compose "$TMP/filled.env" config >"$TMP/rendered.yml" 2>/dev/null || true
python3 - "$TMP/rendered.yml" <<'PY' || failures=$((failures + 1))
import sys
import yaml

doc = yaml.safe_load(open(sys.argv[1])) or {}
services = doc.get("services", {})
apps = ["auth", "jobs", "contracts", "payments", "notifications", "disputes", "workroom", "clans"]
expected = set(apps) | {"gateway", "kafka"} | {f"postgres-{a}" for a in apps}
problems = []
if set(services) != expected:
    problems.append(f"services: expected {sorted(expected)}, got {sorted(services)}")
for name, svc in services.items():
    if "healthcheck" not in svc:
        problems.append(f"services.{name}.healthcheck: missing")
    if svc.get("ports") and name != "gateway":
        problems.append(f"services.{name}.ports: only the gateway publishes ports")
    for dep, cond in (svc.get("depends_on") or {}).items():
        if cond.get("condition") != "service_healthy":
            problems.append(f"services.{name}.depends_on.{dep}: must wait for service_healthy")
for name in apps + ["gateway"]:
    svc = services.get(name, {})
    build = svc.get("build", {})
    if build.get("dockerfile") != "deploy/docker/Dockerfile" or build.get("args", {}).get("SERVICE") != name:
        problems.append(f"services.{name}.build: must be deploy/docker/Dockerfile with SERVICE={name}")
    if name != "gateway":
        env = svc.get("environment", {})
        if env.get("PG_HOST") != f"postgres-{name}" or env.get("KAFKA_BOOTSTRAP") != "kafka:9092":
            problems.append(f"services.{name}.environment: PG_HOST/KAFKA_BOOTSTRAP must point at postgres-{name} and kafka")
        if "postgres-" + name not in (svc.get("depends_on") or {}) or "kafka" not in (svc.get("depends_on") or {}):
            problems.append(f"services.{name}.depends_on: must wait for postgres-{name} and kafka")
# The payment provider is stated, never left to a default; the development flag only where the
# sandbox needs it (payments) and never on another service.
payments_env = services.get("payments", {}).get("environment", {})
if not payments_env.get("PAYMENTS_PROVIDER"):
    problems.append("services.payments.environment.PAYMENTS_PROVIDER: must name the payment provider")
for name in apps + ["gateway"]:
    if name != "payments" and "MARKETPLACE_DEV_MODE" in (services.get(name, {}).get("environment") or {}):
        problems.append(f"services.{name}.environment.MARKETPLACE_DEV_MODE: development mode is for payments' sandbox only")
kafka_env = services.get("kafka", {}).get("environment", {})
if "broker,controller" not in str(kafka_env.get("KAFKA_PROCESS_ROLES")) or any("ZOOKEEPER" in k for k in kafka_env):
    problems.append("services.kafka: must run in KRaft mode (broker,controller), without ZooKeeper")
gateway_ports = services.get("gateway", {}).get("ports") or []
if not gateway_ports:
    problems.append("services.gateway.ports: the gateway must be published")
for p in problems:
    print("FAIL:", p)
if not problems:
    print(f"ok: {len(services)} services; built from deploy/docker/Dockerfile; health checks; only the gateway published")
sys.exit(1 if problems else 0)
PY

if [ "$failures" -ne 0 ]; then
    echo "check-compose: $failures check(s) failed"
    exit 1
fi
echo "check-compose: all checks passed"
