#!/usr/bin/env bash
# make bench-messaging: the messaging figures on the local stack's real Apache Kafka cluster and on the
# mock broker, side by side, and, on the same PostgreSQL in the same run with the same settings,
# pgbench tpcb-like as the baseline; prints every figure and the ratios.
#
# Environment: BENCH_SECONDS (10), BENCH_RATE (1000), BENCH_RELAY_EVENTS (100000), BENCH_BROKERS
# ("kafka devbroker"), and BENCH_LINGER_MS / BENCH_FETCH_WAIT_MS to try other client settings.
set -euo pipefail
build_dir=$(realpath "${1:?usage: run-messaging-bench.sh BUILD_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=${BENCH_SECONDS:-10}
out=$(mktemp)
started_devbroker=
cleanup() {
    rm -f "$out" "$out".*
    if [ -n "$started_devbroker" ]; then
        MARKETPLACE_BIN_DIR=$build_dir "$repo/deploy/local/stack.sh" down devbroker >/dev/null || true
    fi
}
trap cleanup EXIT

brokers=${BENCH_BROKERS:-kafka devbroker}
for broker in $brokers; do
    if [ "$broker" = devbroker ] && ! "$repo/deploy/local/stack.sh" check devbroker; then
        MARKETPLACE_BIN_DIR=$build_dir "$repo/deploy/local/stack.sh" up devbroker >/dev/null
        started_devbroker=1
    fi
    echo "== messaging on $broker: outbox -> relay -> broker -> inbox consumer"
    "$build_dir/tests/bench/messaging_bench" --broker "$broker" --rate "${BENCH_RATE:-1000}" --seconds "$seconds" \
        --relay-events "${BENCH_RELAY_EVENTS:-100000}" | tee "$out.$broker"
done
echo "== baseline"
"$here/pgbench-baseline.sh" "$seconds" | tee "$out.pgbench"

echo "== side by side"
printf '%-24s' figure
for broker in $brokers; do printf '%14s' "$broker"; done
echo
for key in latency_p50_ms latency_p90_ms latency_p99_ms latency_p999_ms latency_max_ms latency_over_10ms \
    relay_broker_p50_ms relay_broker_p99_ms writer_commit_p99_ms relay_events_per_s; do
    printf '%-24s' "$key"
    for broker in $brokers; do printf '%14s' "$(awk -v k="$key" '$1 == k { print $2 }' "$out.$broker")"; done
    echo
done

get() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
echo "== ratios (pgbench_tpcb_tps $(get pgbench_tpcb_tps "$out.pgbench"), pgbench_latency_avg_ms $(get pgbench_latency_avg_ms "$out.pgbench"))"
for broker in $brokers; do
    awk -v b="$broker" -v relay="$(get relay_events_per_s "$out.$broker")" -v tps="$(get pgbench_tpcb_tps "$out.pgbench")" \
        -v p99="$(get latency_p99_ms "$out.$broker")" -v p50="$(get latency_p50_ms "$out.$broker")" \
        -v lat="$(get pgbench_latency_avg_ms "$out.pgbench")" 'BEGIN {
      printf "%-10s relay_events_per_s / pgbench_tps %.2f; latency_p50_ms / pgbench_latency %.2f; latency_p99_ms / pgbench_latency %.2f\n", b, relay / tps, p50 / lat, p99 / lat
      printf "%-10s aims: p99 < 10 ms at 1,000 events/s (%s), relay >= 20,000 events/s (%s)\n", b, (p99 < 10 ? "met" : "missed"), (relay >= 20000 ? "met" : "missed")
    }'
done
