#!/usr/bin/env bash
# make bench-messaging: the messaging figures and, on the same PostgreSQL in the same run with the
# same settings, pgbench tpcb-like as the baseline; prints every figure and the ratios.
set -euo pipefail
build_dir=${1:?usage: run-messaging-bench.sh BUILD_DIR}
state=${MARKETPLACE_STATE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/.state}
port=$(sed -n 4p "$(cat "$state/pg/location" 2>/dev/null || echo "$state/pg/data")/postmaster.pid" 2>/dev/null || true)
port=${port:-${MARKETPLACE_PG_PORT:-15432}}
pgbin=/usr/lib/postgresql/15/bin
export PGPASSWORD=postgres
seconds=${BENCH_SECONDS:-10}

echo "== messaging (outbox -> relay -> dev broker -> inbox consumer), PostgreSQL on 127.0.0.1:$port"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$build_dir/tests/bench/messaging_bench" --rate "${BENCH_RATE:-1000}" --seconds "$seconds" \
  --relay-events "${BENCH_RELAY_EVENTS:-100000}" | tee "$out"

echo "== baseline: pgbench tpcb-like, -c2 -j2 -T$seconds, same server and settings"
db=bench_pgbench_$$
"$pgbin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE $db" >/dev/null
cleanup() { "$pgbin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true; rm -f "$out"; }
trap cleanup EXIT
"$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -i -s 10 -q "$db" >/dev/null 2>&1
pgb=$("$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -c 2 -j 2 -T "$seconds" "$db" 2>/dev/null)
tps=$(printf '%s\n' "$pgb" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
lat=$(printf '%s\n' "$pgb" | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' | head -1)
echo "pgbench_tpcb_tps $tps"
echo "pgbench_latency_avg_ms $lat"

get() { awk -v k="$1" '$1 == k { print $2 }' "$out"; }
echo "== ratios"
awk -v relay="$(get relay_events_per_s)" -v tps="$tps" -v p99="$(get latency_p99_ms)" -v p50="$(get latency_p50_ms)" -v lat="$lat" 'BEGIN {
  printf "relay_events_per_s / pgbench_tps           %.2f\n", relay / tps
  printf "latency_p50_ms / pgbench_latency_avg_ms     %.2f\n", p50 / lat
  printf "latency_p99_ms / pgbench_latency_avg_ms     %.2f\n", p99 / lat
  printf "aims: p99 < 10 ms at 1,000 events/s (%s), relay >= 20,000 events/s (%s)\n", (p99 < 10 ? "met" : "missed"), (relay >= 20000 ? "met" : "missed")
}'
