#!/usr/bin/env bash
# make bench-messaging: the messaging figures and, on the same PostgreSQL in the same run with the
# same settings, pgbench tpcb-like as the baseline; prints every figure and the ratios.
set -euo pipefail
build_dir=${1:?usage: run-messaging-bench.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
seconds=${BENCH_SECONDS:-10}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== messaging: outbox -> relay -> dev broker -> inbox consumer"
"$build_dir/tests/bench/messaging_bench" --rate "${BENCH_RATE:-1000}" --seconds "$seconds" \
  --relay-events "${BENCH_RELAY_EVENTS:-100000}" | tee "$out"
echo "== baseline"
"$here/pgbench-baseline.sh" "$seconds" | tee -a "$out"

get() { awk -v k="$1" '$1 == k { print $2 }' "$out"; }
echo "== ratios"
awk -v relay="$(get relay_events_per_s)" -v tps="$(get pgbench_tpcb_tps)" -v p99="$(get latency_p99_ms)" \
    -v p50="$(get latency_p50_ms)" -v lat="$(get pgbench_latency_avg_ms)" 'BEGIN {
  printf "relay_events_per_s / pgbench_tps            %.2f\n", relay / tps
  printf "latency_p50_ms / pgbench_latency_avg_ms     %.2f\n", p50 / lat
  printf "latency_p99_ms / pgbench_latency_avg_ms     %.2f\n", p99 / lat
  printf "aims: p99 < 10 ms at 1,000 events/s (%s), relay >= 20,000 events/s (%s)\n", (p99 < 10 ? "met" : "missed"), (relay >= 20000 ? "met" : "missed")
}'
