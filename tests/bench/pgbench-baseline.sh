#!/usr/bin/env bash
# The benchmarks' baseline: pgbench tpcb-like on the local stack's PostgreSQL (same server, same
# settings, same run), in a scratch database. Prints "<PREFIX>_tpcb_tps N" and "<PREFIX>_latency_avg_ms N".
#   pgbench-baseline.sh SECONDS [CLIENTS (2)] [PREFIX (pgbench)]
set -euo pipefail
seconds=${1:-10}
clients=${2:-2}
prefix=${3:-pgbench}
state=${MARKETPLACE_STATE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/.state}
datadir=$(cat "$state/pg/location" 2>/dev/null || echo "$state/pg/data")
port=$(sed -n 4p "$datadir/postmaster.pid" 2>/dev/null || true)
port=${port:-${MARKETPLACE_PG_PORT:-15432}}
pgbin=/usr/lib/postgresql/15/bin
export PGPASSWORD=postgres
db=bench_pgbench_$$
psql() { "$pgbin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }
psql -c "CREATE DATABASE $db" >/dev/null
trap 'psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true' EXIT
echo "pgbench: initializing scale 10 on 127.0.0.1:$port..." >&2
"$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -i -s 10 -q "$db" >/dev/null 2>&1
echo "pgbench: tpcb-like, $clients clients, $clients threads, ${seconds} s..." >&2
out=$("$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -c "$clients" -j "$clients" -T "$seconds" "$db" 2>/dev/null)
echo "${prefix}_tpcb_tps $(printf '%s\n' "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)"
echo "${prefix}_latency_avg_ms $(printf '%s\n' "$out" | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' | head -1)"
