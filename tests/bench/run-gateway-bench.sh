#!/usr/bin/env bash
# make bench-gateway: a read route (GET /v1/wallet/balances) and a write route (POST /v1/jobs) through
# the HTTP/JSON gateway with wrk, and the same calls made directly over gRPC, on the same services in
# the same run; prints requests/s, p50/p99, the gateway's overhead and whether the aims are met.
# First, what one token check costs: in full (Ed25519) and when the token was accepted before.
# Fails when any request got a non-2xx answer, a socket error or a gRPC error.
#   BENCH_SECONDS (10)  BENCH_CONNECTIONS (1,16,64)  BENCH_THREADS (2, wrk's and the gRPC client's)
#   GATEWAY_THREADS (2, the gateway's HTTP worker threads)
set -euo pipefail
build_dir=${1:?usage: run-gateway-bench.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
wrk=$(command -v wrk) || { echo "run-gateway-bench: wrk is not installed (make deps)" >&2; exit 1; }
export GATEWAY_THREADS=${GATEWAY_THREADS:-2}
# Nothing scrapes the services here, and their default metrics ports may be taken by a running
# `make up`: the children inherit this.
export METRICS_LISTEN=${METRICS_LISTEN:-off}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$build_dir/tests/bench/token_bench" --seconds "${TOKEN_BENCH_SECONDS:-2}"

echo "== gateway: auth, jobs, contracts, payments and the gateway as processes on the local stack"
echo "   (wrk, the gRPC load client, the gateway, the services and PostgreSQL share this machine's $(nproc) cores)"
"$build_dir/tests/bench/gateway_bench" --seconds "${BENCH_SECONDS:-10}" --connections "${BENCH_CONNECTIONS:-1,16,64}" \
  --threads "${BENCH_THREADS:-2}" --wrk "$wrk" --script "$here/gateway.lua" | tee "$out"

get() { awk -v k="$1" '$1 == k { print $2 }' "$out"; }
echo "== aims (gateway p99 minus direct p99 < 1 ms; >= 10,000 read requests/s through the gateway)"
echo "   at 1 connection the difference is the gateway's own time; with many it includes queueing on the shared cores"
IFS=, read -ra connections <<< "${BENCH_CONNECTIONS:-1,16,64}"
for c in "${connections[@]}"; do
  awk -v c="$c" -v over="$(get "read_c${c}_overhead_p99_ms")" -v wover="$(get "write_c${c}_overhead_p99_ms")" \
      -v rps="$(get "read_c${c}_gateway_rps")" 'BEGIN {
    printf "%3d connections: p99 overhead read %.3f ms (%s), write %.3f ms (%s); read through the gateway %.0f req/s (%s)\n",
      c, over, (over < 1 ? "met" : "missed"), wover, (wover < 1 ? "met" : "missed"), rps, (rps >= 10000 ? "met" : "missed")
  }'
done
