#!/usr/bin/env bash
# make bench-sagas: milestone lifecycles and ledger transfers through the services, single escrow
# releases from concurrent callers, and pgbench tpcb-like on the same PostgreSQL in the same run as the
# baselines (once with 2 clients, once with as many clients as the releases have callers); prints the
# figures, the ratios and whether the aims are met.
#   BENCH_SECONDS (10)  BENCH_BATCH (1000)  ESCROW_MILESTONES (4000)  ESCROW_CALLERS (4)
set -euo pipefail
build_dir=${1:?usage: run-sagas-bench.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
seconds=${BENCH_SECONDS:-10}
escrow_callers=${ESCROW_CALLERS:-4}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== sagas: auth, jobs, contracts, payments as processes on the local stack"
"$build_dir/tests/bench/sagas_bench" --seconds "$seconds" --batch "${BENCH_BATCH:-1000}" | tee "$out"
echo "== escrow releases: payments in this process, one release per call from $escrow_callers callers"
# payments runs in the bench's process: its per-event log lines would cost CPU the bench measures.
MARKETPLACE_LOG_LEVEL=${MARKETPLACE_LOG_LEVEL:-warn} "$build_dir/tests/bench/escrow_bench" --milestones "${ESCROW_MILESTONES:-4000}" --callers "$escrow_callers" | tee -a "$out"
echo "== baseline"
"$here/pgbench-baseline.sh" "$seconds" | tee -a "$out"
"$here/pgbench-baseline.sh" "$seconds" "$escrow_callers" pgbench_escrow_clients | tee -a "$out"

get() { awk -v k="$1" '$1 == k { print $2 }' "$out"; }
echo "== ratios"
awk -v ledger="$(get ledger_transfers_per_s)" -v tps="$(get pgbench_tpcb_tps)" -v p99="$(get lifecycles_c8_p99_ms)" \
    -v lat="$(get pgbench_latency_avg_ms)" -v c32="$(get lifecycles_c32_per_s)" -v c8="$(get lifecycles_c8_per_s)" \
    -v rel="$(get escrow_releases_per_s)" -v rel_p99="$(get escrow_release_p99_ms)" \
    -v rel_tps="$(get pgbench_escrow_clients_tpcb_tps)" -v audit="$(get escrow_audit)" -v once="$(get escrow_released_once)" \
    -v ledger_audit="$(get ledger_audit)" -v callers="$escrow_callers" 'BEGIN {
  saturated = (c32 > c8 ? c32 : c8)
  printf "ledger_transfers_per_s / pgbench_tps        %.2f\n", ledger / tps
  printf "lifecycle_c8_p99_ms / pgbench_latency_avg   %.2f\n", p99 / lat
  printf "escrow_releases_per_s / pgbench_tps (%d clients each)  %.2f\n", callers, rel / rel_tps
  printf "aims: ledger >= 3x pgbench (%s); lifecycles saturated >= 150/s: %.1f/s (%s); lifecycle p99 < 50 ms at concurrency 8: %.1f ms (%s)\n",
    (ledger >= 3 * tps ? "met" : "missed"), saturated, (saturated >= 150 ? "met" : "missed"), p99, (p99 < 50 ? "met" : "missed")
  printf "aims: escrow releases >= 1x pgbench TPS: %.0f/s against %.0f (%s); release p99 < 10 ms: %.2f ms (%s); audits %s/%s, released once: %s\n",
    rel, rel_tps, (rel >= rel_tps ? "met" : "missed"), rel_p99, (rel_p99 < 10 ? "met" : "missed"), ledger_audit, audit, once
}'
