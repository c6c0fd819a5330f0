#!/usr/bin/env bash
# make bench-gateway: a read route (GET /v1/wallet/balances) and a write route (POST /v1/jobs) through
# the HTTP/JSON gateway with wrk, and the same calls made directly over gRPC, on the same services in
# the same run; prints requests/s, p50/p99, the gateway's overhead and whether the aims are met.
# The read route also runs directly against its baseline (balances_baseline_server: a bare gRPC server
# running payments' statement of GetBalances on payments' database), and every process's threads
# are counted before, during and after the load.
# First, what one token check costs: in full (Ed25519) and when the token was accepted before; then
# what reading one request body costs: protobuf's JSON parser against the gateway's reader.
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
"$build_dir/tests/bench/json_bench" --seconds "${JSON_BENCH_SECONDS:-1}"

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
# meets KEY AIM [min|max]: "met" or "missed" (or "not measured" when the run has no such line).
meets() {
  local v; v=$(get "$1")
  if [[ -z $v ]]; then echo "not measured"; return; fi
  awk -v v="$v" -v aim="$2" -v way="$3" 'BEGIN { print ((way == "min" ? v >= aim : v < aim) ? "met" : "missed") }'
}
show() { local v; v=$(get "$1"); printf '%s' "${v:--}"; }
echo "== aims of the read route against its baseline and of the gateway"
for c in "${connections[@]}"; do
  printf '%3d connections: payments direct / baseline %s (aim >= 0.60: %s); baseline %s calls/s, p50 %s ms, p99 %s ms, %s CPU us/call\n' \
    "$c" "$(show "read_c${c}_direct_baseline_ratio")" "$(meets "read_c${c}_direct_baseline_ratio" 0.60 min)" \
    "$(show "read_c${c}_baseline_rps")" "$(show "read_c${c}_baseline_p50_ms")" "$(show "read_c${c}_baseline_p99_ms")" \
    "$(show "read_c${c}_baseline_cpu_us_per_req_service")"
done
printf 'gateway / direct at 16 connections: read %s (aim >= 0.90: %s), write %s (aim >= 0.90: %s)\n' \
  "$(show read_c16_rps_ratio)" "$(meets read_c16_rps_ratio 0.90 min)" \
  "$(show write_c16_rps_ratio)" "$(meets write_c16_rps_ratio 0.90 min)"
printf 'gateway p99 overhead at 1 connection: read %s ms (aim < 1 ms: %s), write %s ms (aim < 1 ms: %s)\n' \
  "$(show read_c1_overhead_p99_ms)" "$(meets read_c1_overhead_p99_ms 1 max)" \
  "$(show write_c1_overhead_p99_ms)" "$(meets write_c1_overhead_p99_ms 1 max)"
for c in "${connections[@]}"; do
  printf '%3d connections: payments CPU per GetBalances, direct %s us (aim < 120 us: %s), through the gateway %s us (%s)\n' \
    "$c" "$(show "read_c${c}_direct_cpu_us_per_req_service")" "$(meets "read_c${c}_direct_cpu_us_per_req_service" 120 max)" \
    "$(show "read_c${c}_gateway_cpu_us_per_req_service")" "$(meets "read_c${c}_gateway_cpu_us_per_req_service" 120 max)"
done
