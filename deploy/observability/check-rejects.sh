#!/usr/bin/env bash
# The observability check must fail on broken files: a dashboard with a misspelt metric and a query
# that does not parse, and alert rules using a metric no service serves or failing their own tests.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
status=0

expect_failure() { # description, expected text, check.py arguments...
    local what=$1 expected=$2
    shift 2
    if "$HERE/check.py" "$@" >"$TMP/out" 2>&1; then
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

# A dashboard whose outbox panel names a metric that does not exist, and a query cut short.
python3 - "$HERE/grafana-dashboard.json" "$TMP/dashboard.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
panels = [p for p in d["panels"] if p.get("type") != "row"]
for p in panels:
    for t in p["targets"]:
        t["expr"] = t["expr"].replace("marketplace_outbox_oldest_unpublished_age_seconds", "marketplace_outbox_oldest_age_seconds")
panels[0]["targets"][0]["expr"] = "sum by (service) (rate(marketplace_rpc_server_handled_total[5m]"
json.dump(d, open(sys.argv[2], "w"))
PY
expect_failure "misspelt metric on the dashboard" \
    "unknown metric marketplace_outbox_oldest_age_seconds" --dashboard "$TMP/dashboard.json"
expect_failure "metric missing from the dashboard" \
    "dashboard: metric marketplace_outbox_oldest_unpublished_age_seconds is on no panel" --dashboard "$TMP/dashboard.json"
expect_failure "unparseable dashboard query" "dashboard: a query does not parse" --dashboard "$TMP/dashboard.json"
echo '{"uid": "x", "title": "x", "panels": [' >"$TMP/truncated.json"
expect_failure "dashboard that is not JSON" "not valid JSON" --dashboard "$TMP/truncated.json"

# Rules: a metric no service serves; a threshold changed so the unit tests no longer hold.
sed 's/marketplace_dlq_depth/marketplace_dead_letters_depth/' "$HERE/alerts.yml" >"$TMP/unknown.yml"
expect_failure "rule on an unknown metric" \
    "rules: DeadLettersWaiting: expr: unknown metric marketplace_dead_letters_depth" --rules "$TMP/unknown.yml" --rules-test ""
sed 's/(marketplace_timers_overdue) > 0/(marketplace_timers_overdue) > 5/' "$HERE/alerts.yml" >"$TMP/alerts.yml"
sed "s|^  - alerts.yml|  - $TMP/alerts.yml|" "$HERE/alerts.test.yml" >"$TMP/alerts.test.yml"
expect_failure "rules that fail their unit tests" "promtool test rules" --rules "$TMP/alerts.yml" --rules-test "$TMP/alerts.test.yml"
sed 's/sum by (service) (marketplace_outbox_relay_leader) != 1/sum by (service) (marketplace_outbox_relay_leader) !=/' \
    "$HERE/alerts.yml" >"$TMP/syntax.yml"
expect_failure "rule that does not parse" "promtool check rules" --rules "$TMP/syntax.yml" --rules-test ""
exit $status
