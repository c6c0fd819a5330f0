#!/usr/bin/env bash
# make bench-sagas: milestone lifecycles and ledger transfers through the services, and pgbench
# tpcb-like on the same PostgreSQL in the same run as the baseline; prints the figures and ratios.
set -euo pipefail
build_dir=${1:?usage: run-sagas-bench.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
seconds=${BENCH_SECONDS:-10}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== sagas: auth, jobs, contracts, payments as processes on the local stack"
"$build_dir/tests/bench/sagas_bench" --seconds "$seconds" --batch "${BENCH_BATCH:-1000}" | tee "$out"
echo "== baseline"
"$here/pgbench-baseline.sh" "$seconds" | tee -a "$out"

get() { awk -v k="$1" '$1 == k { print $2 }' "$out"; }
echo "== ratios"
awk -v ledger="$(get ledger_transfers_per_s)" -v tps="$(get pgbench_tpcb_tps)" -v p99="$(get lifecycles_c8_p99_ms)" \
    -v lat="$(get pgbench_latency_avg_ms)" 'BEGIN {
  printf "ledger_transfers_per_s / pgbench_tps        %.2f\n", ledger / tps
  printf "lifecycle_c8_p99_ms / pgbench_latency_avg   %.2f\n", p99 / lat
  printf "aims: ledger >= 3x pgbench (%s), lifecycle p99 < 50 ms at concurrency 8 (%s)\n", (ledger >= 3 * tps ? "met" : "missed"), (p99 < 50 ? "met" : "missed")
}'
