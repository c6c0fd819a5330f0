#!/usr/bin/env bash
# make bench-workroom: N rooms x M WebSocket clients through the gateway (its own process) on the
# workroom's live stream, a steady post rate, post -> delivered at every receiver, the gateway's
# memory per idle connection, and as baselines in the same run the gateway's own WebSocket round trip
# and PostgreSQL's single-row insert rate of a message row; then whether the aims are met.
#   BENCH_ROOMS (100)  BENCH_MEMBERS (20)  BENCH_RATE (1000/s)  BENCH_SECONDS (10)  BENCH_POSTERS (8)
#   BENCH_DRAIN_SECONDS (10)  BENCH_PINGS (1000)  BENCH_PG_SECONDS (3)  GATEWAY_THREADS (2)  STREAM_WORKERS (4)
set -euo pipefail
build_dir=${1:?usage: run-workroom-bench.sh BUILD_DIR}
export METRICS_LISTEN=${METRICS_LISTEN:-off}
# The workroom runs in the bench process: its per-call log lines would cost CPU the bench measures.
export MARKETPLACE_LOG_LEVEL=${MARKETPLACE_LOG_LEVEL:-warn}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Bounded: the run itself stops after BENCH_SECONDS + BENCH_DRAIN_SECONDS plus setup; this is a backstop.
timeout 900 "$build_dir/tests/bench/workroom_bench" "$build_dir/services/gateway/marketplace-gateway" | tee "$out"

get() { awk -v k="$1" '$1 == k { print $2 }' "$out"; }
echo "== aims (2,000 clients; 1,000 messages/s; fan-out p99 < 50 ms; <= 32 KiB of gateway memory per idle connection)"
awk -v clients="$(get connected_clients)" -v mps="$(get messages_per_second)" -v p99="$(get fanout_p99_ms)" \
    -v kib="$(get gateway_kib_per_idle_connection)" -v got="$(get deliveries_received)" \
    -v want="$(get deliveries_expected)" 'BEGIN {
  printf "clients %d (%s); posted %.0f messages/s (%s); fan-out p99 %.1f ms (%s); %.1f KiB per idle connection (%s); delivered %d of %d\n",
    clients, (clients >= 2000 ? "met" : "missed"), mps, (mps >= 1000 * 0.98 ? "met" : "missed"),
    p99, (p99 < 50 ? "met" : "missed"), kib, (kib <= 32 ? "met" : "missed"), got, want
}'
