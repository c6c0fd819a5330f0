#!/usr/bin/env bash
# The marketplace's services as local processes on the local stack (deploy/local/stack.sh), the
# shape operators run in containers: each service with its own database and consumer group, the
# gateway in front. DEVELOPMENT ONLY: well-known passwords, loopback only, and the sandbox payment
# provider, which confirms every deposit. Every service runs with MARKETPLACE_DEV_MODE=1, the flag
# without which the services refuse well-known secrets and payments refuses the sandbox.
#
# usage: deploy/local/services.sh up|down|status
#        deploy/local/services.sh scale SERVICE N     run N replicas of SERVICE (1..4)
#        deploy/local/services.sh kill SERVICE[-K]   SIGKILL one replica (default: the last), as a crash would
#   up      starts every service that is not running (idempotent) and waits until each answers its
#           health check (the gateway: GET /readyz)
#   down    SIGTERM to every replica (by recorded pid), waits for each to drain and exit
#   status  one line per replica: pid, gRPC and metrics addresses, log
#
# The services, their order, ports, the services each calls and those the gateway routes come from
# services/registry.tsv (deploy/registry/registry.sh reads it); a service that is not built (one left
# out with MARKETPLACE_SKIP_SERVICES) is skipped.
# Ports (all on 127.0.0.1; MARKETPLACE_PORT_OFFSET is added to each, default 0):
#   gRPC     the registry's (auth 7101, jobs 7102, contracts 7103, ...); replica K of a service listens
#            10*(K-1) higher (contracts replica 2: 7113)
#   metrics  the registry's, the same way (contracts 9103, its replica 2: 9113); gateway 9100
#   gateway  HTTP 8080
# Environment:
#   MARKETPLACE_STATE_DIR   state folder (default <repo>/.state): logs/, services/ (pid files)
#   MARKETPLACE_BIN_DIR     build folder (default <repo>/build)
#   MARKETPLACE_ADMIN_EMAIL, MARKETPLACE_ADMIN_PASSWORD
#                           the admin auth seeds (default admin@marketplace.local / local-admin-password)
#   MARKETPLACE_GATEWAY_SECRET
#                           what the gateway sends with the client's address and auth checks before it
#                           believes that address (GATEWAY_FORWARDING_SECRET / AUTH_GATEWAY_SECRET;
#                           default local-gateway-forwarding-secret)
#   KAFKA_TOPIC_PREFIX      passed to every service (default empty)
set -euo pipefail
umask 022

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=$(realpath -m -- "${MARKETPLACE_STATE_DIR:-$REPO_ROOT/.state}")
BIN_DIR=$(realpath -m -- "${MARKETPLACE_BIN_DIR:-$REPO_ROOT/build}")
OFFSET=${MARKETPLACE_PORT_OFFSET:-0}
PG_PORT=${MARKETPLACE_PG_PORT:-15432}
ADMIN_EMAIL=${MARKETPLACE_ADMIN_EMAIL:-admin@marketplace.local}
ADMIN_PASSWORD=${MARKETPLACE_ADMIN_PASSWORD:-local-admin-password}
GATEWAY_SECRET=${MARKETPLACE_GATEWAY_SECRET:-local-gateway-forwarding-secret}
LOG_DIR=$STATE/logs
PID_DIR=$STATE/services
# shellcheck source=deploy/registry/registry.sh
source "$REPO_ROOT/deploy/registry/registry.sh"
# In start order: the registry's (auth first: the others check tokens against it), the gateway last.
ALL=("${REGISTRY_SERVICES[@]}" gateway)

say() { echo "services: $*"; }
die() {
    echo "services: error: $*" >&2
    exit 1
}

[[ $OFFSET =~ ^[0-9]+$ ]] && ((OFFSET <= 50000)) || die "MARKETPLACE_PORT_OFFSET must be a number within 0..50000, got '$OFFSET'"

binary() { echo "$BIN_DIR/services/$1/marketplace-$1"; }
built() { [ -x "$(binary "$1")" ]; }
pid_file() { echo "$PID_DIR/$1-$2.pid"; }
grpc_port() { echo $((REGISTRY_GRPC[$1] + 10 * ($2 - 1) + OFFSET)); }
metrics_port() { echo $((REGISTRY_METRICS[$1] + 10 * ($2 - 1) + OFFSET)); }
gateway_port() { echo $((8080 + OFFSET)); }

running_pid() { # service replica -> pid of a live process, or nothing
    local f
    f=$(pid_file "$1" "$2")
    [ -f "$f" ] || return 0
    local pid
    pid=$(cat "$f")
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

replicas_of() { # service -> the replica numbers that have pid files, ascending
    local f
    for f in "$PID_DIR/$1"-*.pid; do
        [ -e "$f" ] || continue
        f=${f##*-}
        echo "${f%.pid}"
    done | sort -n
}

# Every address a replica of the service may have: clients spread calls over those that answer
# (round robin), as they would behind a Kubernetes Service, so a killed replica is routed around.
replica_targets() {
    local k out="ipv4:"
    for k in 1 2 3 4; do out+="127.0.0.1:$(grpc_port "$1" "$k"),"; done
    echo "${out%,}"
}

service_env() { # service replica -> KEY=VALUE lines
    local s=$1 k=$2
    echo "MARKETPLACE_DEV_MODE=1"
    echo "GRPC_LISTEN=127.0.0.1:$(grpc_port "$s" "$k")"
    echo "METRICS_LISTEN=127.0.0.1:$(metrics_port "$s" "$k")"
    echo "PG_HOST=127.0.0.1"
    echo "PG_PORT=$PG_PORT"
    echo "PG_DATABASE=$s"
    echo "PG_USER=$s"
    echo "PG_PASSWORD=$s"
    echo "KAFKA_TOPIC_PREFIX=${KAFKA_TOPIC_PREFIX:-}"
    echo "AUTH_GRPC_TARGET=$(replica_targets auth)"
    local called
    for called in ${REGISTRY_CALLS[$s]}; do echo "${called^^}_GRPC_TARGET=$(replica_targets "$called")"; done
    # The workroom's files on the filesystem store, shared by its replicas (docs/LOCAL-STACK.md).
    [[ $s != workroom ]] || echo "BLOB_DIR=$STATE/blobs/workroom"
    echo "AUTH_GRPC_LOAD_BALANCING=round_robin"
    echo "AUTH_ADMIN_EMAIL=$ADMIN_EMAIL"
    echo "AUTH_ADMIN_PASSWORD=$ADMIN_PASSWORD"
    if [ "$s" = auth ]; then echo "AUTH_GATEWAY_SECRET=$GATEWAY_SECRET"; fi
    if [ "$s" = notifications ]; then echo "NOTIFICATIONS_GATEWAY_SECRET=$GATEWAY_SECRET"; fi
    if [ "$s" = workroom ]; then echo "WORKROOM_GATEWAY_SECRET=$GATEWAY_SECRET"; fi
    # No real payment provider is reachable on a development machine: the sandbox, chosen explicitly.
    [ "$s" = payments ] && echo "PAYMENTS_PROVIDER=sandbox"
    return 0
}

gateway_env() {
    local upstreams="" s
    for s in "${REGISTRY_SERVICES[@]}"; do
        [ "${REGISTRY_GATEWAY[$s]}" = yes ] && built "$s" && upstreams+=",$s"
    done
    upstreams=${upstreams#,}
    echo "GATEWAY_LISTEN=127.0.0.1:$(gateway_port)"
    echo "METRICS_LISTEN=127.0.0.1:$((9100 + OFFSET))"
    echo "GATEWAY_SERVICES=$upstreams"
    echo "GATEWAY_FORWARDING_SECRET=$GATEWAY_SECRET"
    for s in ${upstreams//,/ }; do
        echo "${s^^}_GRPC_TARGET=$(replica_targets "$s")"
        echo "${s^^}_GRPC_LOAD_BALANCING=round_robin"
    done
}

healthy() { # service replica
    if [ "$1" = gateway ]; then
        curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$(gateway_port)/readyz"
    else
        "$BIN_DIR/libs/rpc/marketplace-healthcheck" --timeout 2s "127.0.0.1:$(grpc_port "$1" "$2")" >/dev/null 2>&1 ||
            bash -c "exec 3<>/dev/tcp/127.0.0.1/$(grpc_port "$1" "$2")" 2>/dev/null
    fi
}

start_one() { # service replica
    local s=$1 k=$2
    [ -n "$(running_pid "$s" "$k")" ] && return 0
    built "$s" || die "$(binary "$s") is not built (make build)"
    local env_lines log
    if [ "$s" = gateway ]; then
        env_lines=$(gateway_env)
    else
        env_lines=$(service_env "$s" "$k")
    fi
    log=$LOG_DIR/$s-$k.log
    mkdir -p "$LOG_DIR" "$PID_DIR"
    # shellcheck disable=SC2046
    (
        while IFS= read -r line; do export "${line?}"; done <<<"$env_lines"
        exec "$(binary "$s")" >>"$log" 2>&1 </dev/null
    ) &
    echo $! >"$(pid_file "$s" "$k")"
}

wait_healthy() { # service replica
    local s=$1 k=$2 i
    for ((i = 0; i < 300; i++)); do
        [ -n "$(running_pid "$s" "$k")" ] || die "$s-$k exited; the end of $LOG_DIR/$s-$k.log:
$(tail -n 20 "$LOG_DIR/$s-$k.log" 2>/dev/null)"
        healthy "$s" "$k" && return 0
        sleep 0.2
    done
    die "$s-$k did not become healthy within 60 s; see $LOG_DIR/$s-$k.log"
}

stop_one() { # service replica
    local s=$1 k=$2 pid i
    pid=$(running_pid "$s" "$k")
    if [ -n "$pid" ]; then
        kill -TERM "$pid"
        for ((i = 0; i < 600; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            say "$s-$k (pid $pid) did not exit within 60 s of SIGTERM; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        else
            say "$s-$k (pid $pid) stopped"
        fi
    fi
    rm -f "$(pid_file "$s" "$k")"
}

# The cluster creates the unprefixed topics when it starts; prefixed ones are created here through
# the admin API (an existing topic is left as it is).
create_topics() {
    local s topics=()
    [ -n "${KAFKA_TOPIC_PREFIX:-}" ] && [ -s "$STATE/kafka/bootstrap" ] || return 0
    for s in "${REGISTRY_SERVICES[@]}"; do topics+=("${KAFKA_TOPIC_PREFIX}$s.events.v1"); done
    MARKETPLACE_STATE_DIR=$STATE MARKETPLACE_BIN_DIR=$BIN_DIR "$REPO_ROOT/deploy/local/kafka/cluster.sh" \
        create-topics "${topics[@]}" >/dev/null
}

cmd_up() {
    local s
    create_topics
    for s in "${ALL[@]}"; do
        if ! built "$s"; then
            say "$s is not built; not started"
            continue
        fi
        start_one "$s" 1
        wait_healthy "$s" 1
    done
    cmd_status
}

cmd_down() {
    local s k i
    for ((i = ${#ALL[@]} - 1; i >= 0; i--)); do
        s=${ALL[i]}
        for k in $(replicas_of "$s"); do stop_one "$s" "$k"; done
    done
}

cmd_status() {
    local s k pid any=0
    for s in "${ALL[@]}"; do
        for k in $(replicas_of "$s"); do
            pid=$(running_pid "$s" "$k")
            any=1
            if [ "$s" = gateway ]; then
                printf 'services: %-16s %-8s http://127.0.0.1:%s  metrics 127.0.0.1:%s  log %s\n' "$s-$k" \
                    "${pid:-stopped}" "$(gateway_port)" "$((9100 + OFFSET))" "$LOG_DIR/$s-$k.log"
            else
                printf 'services: %-16s %-8s grpc 127.0.0.1:%s  metrics 127.0.0.1:%s  log %s\n' "$s-$k" \
                    "${pid:-stopped}" "$(grpc_port "$s" "$k")" "$(metrics_port "$s" "$k")" "$LOG_DIR/$s-$k.log"
            fi
        done
    done
    [ $any = 1 ] || say "nothing runs"
}

cmd_scale() {
    local s=${1:-} n=${2:-}
    [ -n "${REGISTRY_GRPC[$s]:-}" ] || die "scale: SERVICE must be one of ${REGISTRY_SERVICES[*]}, got '$s'"
    [[ $n =~ ^[1-4]$ ]] || die "scale: N must be within 1..4, got '$n'"
    local k
    for ((k = 1; k <= n; k++)); do start_one "$s" "$k"; done
    for ((k = 1; k <= n; k++)); do wait_healthy "$s" "$k"; done
    for k in $(replicas_of "$s"); do ((k > n)) && stop_one "$s" "$k"; done
    cmd_status
}

cmd_kill() {
    local arg=${1:-} s k pid
    s=${arg%-*}
    if [ "$s" = "$arg" ]; then k=$(replicas_of "$s" | tail -n 1); else k=${arg##*-}; fi
    [ -n "${REGISTRY_GRPC[$s]:-}" ] || [ "$s" = gateway ] || die "kill: unknown service '$s'"
    pid=$(running_pid "$s" "${k:-1}")
    [ -n "$pid" ] || die "kill: $s-${k:-1} is not running"
    kill -KILL "$pid"
    rm -f "$(pid_file "$s" "$k")"
    say "$s-$k (pid $pid) killed"
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
scale) cmd_scale "${2:-}" "${3:-}" ;;
kill) cmd_kill "${2:-}" ;;
*) die "usage: $0 up|down|status|scale SERVICE N|kill SERVICE[-K]" ;;
esac
