#!/usr/bin/env bash
# make bench-messaging: the messaging figures on the local stack's real Apache Kafka cluster and on the
# mock broker, side by side, and, on the same PostgreSQL in the same run with the same settings,
# pgbench tpcb-like as the baseline; prints every figure and the ratios.
#
# The brokers measured (BENCH_BROKERS, default all three):
#   kafka      the local stack's three-node cluster (replication 3, min.insync.replicas 2): what every test uses
#   kafka1     a single-node cluster this script starts beside it on its own ports and stops afterwards
#   devbroker  the mock broker (started here if it is not running, and stopped again)
# Environment: BENCH_SECONDS (10), BENCH_RATE (1000), BENCH_RELAY_EVENTS (100000), BENCH_WARMUP_SECONDS (5),
# and BENCH_LINGER_MS / BENCH_FETCH_WAIT_MS / BENCH_KAFKA_EXTRA to try other client settings.
set -euo pipefail
build_dir=$(realpath "${1:?usage: run-messaging-bench.sh BUILD_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=${BENCH_SECONDS:-10}
out=$(mktemp)
started_devbroker=
single_state=
cleanup() {
    rm -f "$out" "$out".*
    if [ -n "$started_devbroker" ]; then
        MARKETPLACE_BIN_DIR=$build_dir "$repo/deploy/local/stack.sh" down devbroker >/dev/null || true
    fi
    if [ -n "$single_state" ]; then
        MARKETPLACE_STATE_DIR=$single_state "$repo/deploy/local/kafka/cluster.sh" down >/dev/null || true
        rm -rf "$single_state"
    fi
}
trap cleanup EXIT

brokers=${BENCH_BROKERS:-kafka kafka1 devbroker}
for broker in $brokers; do
    state=${MARKETPLACE_STATE_DIR:-$repo/.state}
    kind=$broker
    case "$broker" in
    devbroker)
        if ! "$repo/deploy/local/stack.sh" check devbroker; then
            MARKETPLACE_BIN_DIR=$build_dir "$repo/deploy/local/stack.sh" up devbroker >/dev/null
            started_devbroker=1
        fi
        ;;
    kafka1)
        single_state=$(mktemp -d /tmp/marketplace-bench-kafka1.XXXXXX)
        MARKETPLACE_STATE_DIR=$single_state MARKETPLACE_BIN_DIR=$build_dir MARKETPLACE_KAFKA_NODES=1 \
            MARKETPLACE_KAFKA_PORT=${BENCH_SINGLE_NODE_PORT:-19492} "$repo/deploy/local/kafka/cluster.sh" up
        state=$single_state
        kind=kafka
        ;;
    kafka) ;;
    *) echo "run-messaging-bench: unknown broker '$broker' (kafka, kafka1, devbroker)" >&2; exit 2 ;;
    esac
    echo "== messaging on $broker: outbox -> relay -> broker -> inbox consumer"
    MARKETPLACE_STATE_DIR=$state "$build_dir/tests/bench/messaging_bench" --broker "$kind" --rate "${BENCH_RATE:-1000}" \
        --seconds "$seconds" --relay-events "${BENCH_RELAY_EVENTS:-100000}" | tee "$out.$broker"
    if [ "$broker" = kafka1 ]; then
        MARKETPLACE_STATE_DIR=$single_state "$repo/deploy/local/kafka/cluster.sh" down >/dev/null
        rm -rf "$single_state"
        single_state=
    fi
done
echo "== baseline"
"$here/pgbench-baseline.sh" "$seconds" | tee "$out.pgbench"

echo "== side by side"
printf '%-24s' figure
for broker in $brokers; do printf '%14s' "$broker"; done
echo
for key in latency_p50_ms latency_p90_ms latency_p99_ms latency_p999_ms latency_max_ms latency_over_10ms \
    slow_events_over_25ms relay_broker_p50_ms relay_broker_p99_ms writer_commit_p99_ms relay_events_per_s; do
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
