#!/usr/bin/env bash
# The local development stack, as plain processes (no containers):
#   - PostgreSQL 15 from Debian: one cluster on 127.0.0.1:${MARKETPLACE_PG_PORT:-15432}, one database
#     and one role per service;
#   - kafka: real Apache Kafka in KRaft mode, three nodes on loopback (deploy/local/kafka/cluster.sh);
#   - seaweedfs: SeaweedFS's weed (master, volume server, filer, S3 gateway) on 127.0.0.1:${MARKETPLACE_S3_PORT:-18333},
#     the S3-compatible object store the blob store's tests run against (deploy/local/seaweedfs/server.sh);
#   - devbroker (only when named): the mock broker on librdkafka's mock cluster (deploy/local/devbroker),
#     kept for faults only it injects deterministically (a given error code on a given request).
#
# DEVELOPMENT ONLY. The passwords below are well known and local socket connections are trusted.
# Production runs Apache Kafka (KRaft) with SASL over TLS and one PostgreSQL per service with real
# secrets (see deploy/docker, deploy/k8s and docs/KAFKA.md).
#
# usage: deploy/local/stack.sh up|down|status|check|reset [postgres] [kafka] [seaweedfs] [devbroker]
#        deploy/local/stack.sh pg-stop [immediate|fast] | pg-start
#   up      start what is not running (idempotent); waits until everything answers
#           (default components: postgres kafka seaweedfs; 'broker' is another name for kafka)
#   down    stop what runs (by recorded pid only); succeeds when nothing runs (default: all four)
#   status  one line per component
#   check   exit 0 if the named components (default: postgres kafka seaweedfs) run, 1 otherwise; prints nothing
#   reset   down, then delete the PostgreSQL data, the brokers' and SeaweedFS's files (logs are kept)
#   pg-stop [immediate|fast]
#           stop only PostgreSQL, keeping its data, for outage tests: 'immediate' (the default) is a
#           crash (every session dropped at once, crash recovery on the next start), 'fast' a clean stop
#   pg-start
#           start PostgreSQL again after pg-stop and wait until it answers (the same as 'up postgres')
#
# Environment:
#   MARKETPLACE_STATE_DIR   state folder (default <repo>/.state): logs/, pg/, kafka/
#   MARKETPLACE_BIN_DIR     build folder holding deploy/local/devbroker and marketplace-kafka-admin
#                           (default <repo>/build)
#   MARKETPLACE_PG_PORT     PostgreSQL TCP port on 127.0.0.1 (default 15432)
#   MARKETPLACE_KAFKA_NODES, _PORT, _PARTITIONS, _HEAP, _SECURE, _TOPICS
#                           the Kafka cluster's shape (deploy/local/kafka/cluster.sh; 3 nodes from port 19092)
#   MARKETPLACE_S3_PORT     SeaweedFS's S3 port on 127.0.0.1 (default 18333; it also takes PORT+1..+3, +10..+13)
#   MARKETPLACE_DEVBROKER_BROKERS, _PARTITIONS, _TOPICS
#                           passed to devbroker as --brokers, --partitions, --topics
set -euo pipefail
umask 022

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=$(realpath -m -- "${MARKETPLACE_STATE_DIR:-$REPO_ROOT/.state}")
BIN_DIR=$(realpath -m -- "${MARKETPLACE_BIN_DIR:-$REPO_ROOT/build}")
PG_PORT=${MARKETPLACE_PG_PORT:-15432}
PG_BIN=/usr/lib/postgresql/15/bin
# Every service of services/registry.tsv has its role and database.
# shellcheck source=deploy/registry/registry.sh
source "$REPO_ROOT/deploy/registry/registry.sh"
SERVICES=("${REGISTRY_SERVICES[@]}")

LOG_DIR=$STATE/logs
PG_STATE=$STATE/pg
KAFKA_DIR=$STATE/devbroker
KAFKA_CLUSTER=$REPO_ROOT/deploy/local/kafka/cluster.sh
SEAWEEDFS=$REPO_ROOT/deploy/local/seaweedfs/server.sh
PG_LOG=$LOG_DIR/postgresql.log
BROKER_LOG=$LOG_DIR/devbroker.log
BROKER_BIN=$BIN_DIR/deploy/local/devbroker
BROKER_PID_FILE=$KAFKA_DIR/devbroker.pid
# Where PostgreSQL keeps its data when the postgres user cannot reach the state folder.
PG_FALLBACK_ROOT=/var/lib/postgresql/marketplace

say() { echo "stack: $*"; }
die() {
    echo "stack: error: $*" >&2
    exit 1
}

if ! [[ $PG_PORT =~ ^[0-9]+$ ]] || ((PG_PORT < 1 || PG_PORT > 65535)); then
    die "MARKETPLACE_PG_PORT must be a TCP port number, got '$PG_PORT'"
fi
[[ $STATE != *[\'$'\n']* ]] || die "the state folder path must not contain quotes or line breaks: $STATE"

# --- who runs PostgreSQL -------------------------------------------------------------------------
# initdb and pg_ctl refuse to run as root; as root they run as the postgres user.
if [ "$(id -u)" -eq 0 ]; then
    PG_USER=postgres
    as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
    PG_USER=$(id -un)
    as_pg() { "$@"; }
fi

# True if pid $1 exists and has not exited (a zombie waiting for its parent counts as gone).
pid_alive() {
    [[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
    local state
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

state_hash() { printf '%s' "$STATE" | sha256sum | cut -c1-12; }

# Sets PG_BASE, PGDATA_DIR and PG_SOCKET_DIR from the recorded location (or the default).
load_pg_paths() {
    if [ -s "$PG_STATE/location" ]; then
        PG_BASE=$(<"$PG_STATE/location")
    else
        PG_BASE=$PG_STATE
    fi
    PGDATA_DIR=$PG_BASE/data
    PG_SOCKET_DIR=$PG_BASE/run
    # A Unix socket path is limited to 107 bytes.
    if ((${#PG_SOCKET_DIR} + 20 > 107)); then
        PG_SOCKET_DIR=/tmp/marketplace-pg-$(state_hash)
    fi
}

# Decides where the data lives on first start: in the state folder if the postgres user can reach
# it, else under $PG_FALLBACK_ROOT/<hash of the state path> (recorded in pg/location).
choose_pg_paths() {
    mkdir -p "$PG_STATE"
    if [ ! -s "$PG_STATE/location" ] && [ "$PG_USER" = postgres ] && [ "$(id -u)" -eq 0 ] &&
        [ ! -f "$PG_STATE/data/PG_VERSION" ] && ! (cd / && runuser -u postgres -- test -x "$PG_STATE"); then
        local base
        base=$PG_FALLBACK_ROOT/$(state_hash)
        say "postgres: the postgres user cannot reach $PG_STATE; keeping the data in $base (recorded in $PG_STATE/location)"
        install -d -o postgres -g postgres -m 0700 "$PG_FALLBACK_ROOT" "$base"
        printf '%s\n' "$base" >"$PG_STATE/location.tmp"
        mv -f "$PG_STATE/location.tmp" "$PG_STATE/location"
    fi
    load_pg_paths
}

make_pg_dir() { # mkdir owned by the PostgreSQL user, mode 0700
    if [ "$(id -u)" -eq 0 ]; then
        install -d -o "$PG_USER" -g "$(id -gn "$PG_USER")" -m 0700 "$1"
    else
        mkdir -p "$1" && chmod 0700 "$1"
    fi
}

pg_pid() { [ -r "$PGDATA_DIR/postmaster.pid" ] && sed -n 1p "$PGDATA_DIR/postmaster.pid"; }
pg_live_port() { sed -n 4p "$PGDATA_DIR/postmaster.pid" 2>/dev/null; }

pg_running() {
    [ -f "$PGDATA_DIR/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" status -D "$PGDATA_DIR" >/dev/null 2>&1
}

# True if pid $1 is a live process whose command line names our data directory.
is_our_postmaster() {
    pid_alive "$1" &&
        tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qxF -- "$PGDATA_DIR"
}

write_pg_settings() {
    local conf=$PGDATA_DIR/marketplace.conf
    cat >"$conf.tmp" <<EOF
# Written by deploy/local/stack.sh on every 'up'; edits here are overwritten.
# Development settings for the local stack only.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
unix_socket_permissions = 0700
max_connections = 300
shared_buffers = 256MB
fsync = on
EOF
    chown "$PG_USER" "$conf.tmp"
    chmod 0600 "$conf.tmp"
    mv -f "$conf.tmp" "$conf"
    if ! grep -q "^include_if_exists = 'marketplace.conf'" "$PGDATA_DIR/postgresql.conf"; then
        printf "\n# The local stack's settings (deploy/local/stack.sh).\ninclude_if_exists = 'marketplace.conf'\n" \
            >>"$PGDATA_DIR/postgresql.conf"
    fi
}

pg_init() {
    if [ -d "$PGDATA_DIR" ] && [ -n "$(ls -A "$PGDATA_DIR" 2>/dev/null)" ]; then
        say "postgres: removing an incomplete data directory $PGDATA_DIR (no PG_VERSION: an earlier initdb failed)"
        rm -rf "$PGDATA_DIR"
    fi
    make_pg_dir "$PGDATA_DIR"
    say "postgres: initdb $PGDATA_DIR"
    if ! as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >>"$PG_LOG" 2>&1; then
        tail -n 20 "$PG_LOG" >&2
        die "initdb failed; see $PG_LOG"
    fi
}

# Roles, databases and grants; safe to run again. Dev-only passwords: each equals the role name.
pg_provision() {
    local port=$1 sql svc
    # postgres/postgres is the dev-only superuser password (TCP connections need a password).
    sql="ALTER ROLE postgres WITH PASSWORD 'postgres';
REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE template1 FROM PUBLIC;
"
    for svc in "${SERVICES[@]}"; do
        sql+="SELECT format('CREATE ROLE %I', '$svc') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$svc') \\gexec
ALTER ROLE \"$svc\" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$svc';
SELECT format('CREATE DATABASE %I OWNER %I', '$svc', '$svc') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$svc') \\gexec
ALTER DATABASE \"$svc\" OWNER TO \"$svc\";
REVOKE ALL ON DATABASE \"$svc\" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE \"$svc\" TO \"$svc\";
"
    done
    if ! printf '%s' "$sql" | "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$port" -U postgres \
        -d postgres >/dev/null 2>"$LOG_DIR/postgresql-provision.err"; then
        cat "$LOG_DIR/postgresql-provision.err" >&2
        die "creating the service roles and databases failed"
    fi
    rm -f "$LOG_DIR/postgresql-provision.err"
}

pg_wait_ready() {
    local port=$1 i
    for ((i = 0; i < 300; i++)); do
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 && return 0
        sleep 0.1
    done
    tail -n 20 "$PG_LOG" >&2
    die "PostgreSQL does not answer on 127.0.0.1:$port after 30 s; see $PG_LOG"
}

pg_start() {
    local attempt
    for attempt in 1 2; do
        # The server inherits this (root-opened) log file, so logs stay under the state folder even
        # when the postgres user cannot reach it.
        # 9>&-: the server must not inherit (and so hold) the stack lock.
        if as_pg "$PG_BIN/pg_ctl" start -D "$PGDATA_DIR" -w -t 60 -s >>"$PG_LOG" 2>&1 9>&-; then
            return 0
        fi
        if [ "$attempt" = 1 ] && tail -n 5 "$PG_LOG" | grep -q 'pre-existing shared memory block'; then
            say "postgres: processes of a crashed server still hold its shared memory; retrying in 3 s"
            sleep 3
            continue
        fi
        break
    done
    tail -n 20 "$PG_LOG" >&2
    die "PostgreSQL failed to start; see $PG_LOG (is port $PG_PORT taken? set MARKETPLACE_PG_PORT)"
}

pg_up() {
    [ -x "$PG_BIN/postgres" ] || die "PostgreSQL 15 is not installed ($PG_BIN); run deploy/local/deps.sh"
    if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
        die "running as root needs the 'postgres' user (it comes with the postgresql-15 package)"
    fi
    mkdir -p "$LOG_DIR"
    choose_pg_paths
    if pg_running; then
        local port
        port=$(pg_live_port)
        pg_wait_ready "$port"
        pg_provision "$port"
        say "postgres: already running (pid $(pg_pid), 127.0.0.1:$port)"
        return 0
    fi
    [ -f "$PGDATA_DIR/PG_VERSION" ] || pg_init
    if [ -f "$PGDATA_DIR/postmaster.pid" ]; then
        local old
        old=$(pg_pid || true)
        if is_our_postmaster "$old"; then
            die "a postmaster (pid $old) runs on $PGDATA_DIR but pg_ctl does not see it; stop it or see $PG_LOG"
        fi
        say "postgres: removing a stale postmaster.pid (pid ${old:-?} is not running)"
        rm -f "$PGDATA_DIR/postmaster.pid"
    fi
    make_pg_dir "$PG_SOCKET_DIR"
    write_pg_settings
    pg_start
    pg_wait_ready "$PG_PORT"
    pg_provision "$PG_PORT"
    say "postgres: started (pid $(pg_pid), 127.0.0.1:$PG_PORT, data $PGDATA_DIR, log $PG_LOG)"
}

pg_down() {
    load_pg_paths
    if ! pg_running; then
        say "postgres: not running"
        return 0
    fi
    local pid i
    pid=$(pg_pid)
    if ! as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA_DIR" -m fast -w -t 60 -s >>"$PG_LOG" 2>&1; then
        say "postgres: fast shutdown did not finish in 60 s; using immediate shutdown"
        as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA_DIR" -m immediate -w -t 30 -s >>"$PG_LOG" 2>&1 || true
    fi
    for ((i = 0; i < 100; i++)); do
        pid_alive "$pid" || break
        sleep 0.1
    done
    pid_alive "$pid" && die "postgres (pid $pid) is still running; see $PG_LOG"
    say "postgres: stopped (was pid $pid)"
}

# Stops PostgreSQL with the given pg_ctl shutdown mode (immediate: no checkpoint, sessions cut).
pg_stop_mode() {
    local mode=$1 pid i
    [[ $mode == immediate || $mode == fast ]] || die "pg-stop takes 'immediate' or 'fast', not '$mode'"
    load_pg_paths
    if ! pg_running; then
        say "postgres: not running"
        return 0
    fi
    pid=$(pg_pid)
    as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA_DIR" -m "$mode" -w -t 60 -s >>"$PG_LOG" 2>&1 ||
        die "pg_ctl stop -m $mode failed; see $PG_LOG"
    for ((i = 0; i < 100; i++)); do
        pid_alive "$pid" || break
        sleep 0.1
    done
    pid_alive "$pid" && die "postgres (pid $pid) is still running; see $PG_LOG"
    say "postgres: stopped ($mode, was pid $pid)"
}

pg_status() {
    load_pg_paths
    if pg_running; then
        local port ready=answering
        port=$(pg_live_port)
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2 || ready="NOT answering"
        echo "postgres: running  pid $(pg_pid)  127.0.0.1:$port ($ready)  data $PGDATA_DIR  log $PG_LOG"
    elif [ -f "$PGDATA_DIR/PG_VERSION" ]; then
        echo "postgres: stopped  (data $PGDATA_DIR)"
    else
        echo "postgres: stopped  (not initialised)"
    fi
}

# --- the dev broker ------------------------------------------------------------------------------
broker_pid() {
    local pid
    pid=$(cat "$BROKER_PID_FILE" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] && echo "$pid"
}

# True if pid $1 is alive and is a devbroker executable (the pid file was written by the broker).
is_devbroker() {
    local exe
    pid_alive "$1" || return 1
    exe=$(readlink "/proc/$1/exe" 2>/dev/null || true)
    [[ $exe == */devbroker || $exe == */devbroker" (deleted)" ]]
}

broker_running() {
    local pid
    pid=$(broker_pid) && is_devbroker "$pid"
}

broker_ctl() { # runs a control command with whichever devbroker binary exists
    local bin=$BROKER_BIN pid
    if [ ! -x "$bin" ] && pid=$(broker_pid) && is_devbroker "$pid"; then
        bin=/proc/$pid/exe
    fi
    "$bin" --state-dir "$STATE" ctl "$@"
}

remove_broker_files() { rm -f "$KAFKA_DIR/bootstrap" "$KAFKA_DIR/control" "$BROKER_PID_FILE"; }

broker_up() {
    mkdir -p "$LOG_DIR" "$KAFKA_DIR"
    if broker_running; then
        broker_ctl ping >/dev/null 2>&1 ||
            die "the dev broker (pid $(broker_pid)) runs but does not answer 'ping'; see $BROKER_LOG (stack.sh down broker restarts it cleanly)"
        say "devbroker: already running (pid $(broker_pid), bootstrap $(cat "$KAFKA_DIR/bootstrap"))"
        return 0
    fi
    [ -x "$BROKER_BIN" ] ||
        die "the dev broker is not built: $BROKER_BIN is missing (run 'make build', or set MARKETPLACE_BIN_DIR to the build folder)"
    remove_broker_files # left by a broker that did not exit cleanly
    local args=(--state-dir "$STATE") launched i
    [ -n "${MARKETPLACE_DEVBROKER_BROKERS:-}" ] && args+=(--brokers "$MARKETPLACE_DEVBROKER_BROKERS")
    [ -n "${MARKETPLACE_DEVBROKER_PARTITIONS:-}" ] && args+=(--partitions "$MARKETPLACE_DEVBROKER_PARTITIONS")
    [ -n "${MARKETPLACE_DEVBROKER_TOPICS:-}" ] && args+=(--topics "$MARKETPLACE_DEVBROKER_TOPICS")
    setsid nohup "$BROKER_BIN" "${args[@]}" >>"$BROKER_LOG" 2>&1 </dev/null 9>&- &
    launched=$!
    for ((i = 0; i < 150; i++)); do
        if ! pid_alive "$launched"; then
            tail -n 10 "$BROKER_LOG" >&2
            die "the dev broker exited during start-up; see $BROKER_LOG"
        fi
        if [ -s "$KAFKA_DIR/control" ] && broker_ctl ping >/dev/null 2>&1; then
            break
        fi
        sleep 0.1
    done
    if ((i == 150)); then
        kill -TERM "$launched" 2>/dev/null || true
        tail -n 10 "$BROKER_LOG" >&2
        die "the dev broker did not answer 'ping' within 15 s; see $BROKER_LOG"
    fi
    [ "$(broker_pid)" = "$launched" ] || say "broker: warning: pid file says $(broker_pid), started $launched"
    say "devbroker: started (pid $launched, bootstrap $(cat "$KAFKA_DIR/bootstrap"), control 127.0.0.1:$(cat "$KAFKA_DIR/control"), log $BROKER_LOG)"
}

broker_down() {
    local pid i
    if ! pid=$(broker_pid) || ! is_devbroker "$pid"; then
        remove_broker_files
        say "devbroker: not running"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        pid_alive "$pid" || break
        sleep 0.1
    done
    if pid_alive "$pid"; then
        say "devbroker: pid $pid ignored SIGTERM for 10 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            pid_alive "$pid" || break
            sleep 0.1
        done
        pid_alive "$pid" && die "the dev broker (pid $pid) survived SIGKILL"
    fi
    remove_broker_files
    say "devbroker: stopped (was pid $pid)"
}

broker_status() {
    local pid
    if pid=$(broker_pid) && is_devbroker "$pid"; then
        local ping=answering
        broker_ctl ping >/dev/null 2>&1 || ping="NOT answering"
        echo "devbroker: running  pid $pid  bootstrap $(cat "$KAFKA_DIR/bootstrap" 2>/dev/null)  control 127.0.0.1:$(cat "$KAFKA_DIR/control" 2>/dev/null) ($ping)  log $BROKER_LOG"
    else
        echo "devbroker: stopped"
    fi
}

# --- commands ------------------------------------------------------------------------------------
take_lock() { # one up/down/reset at a time per state folder
    mkdir -p "$STATE"
    exec 9>>"$STATE/.stack.lock"
    flock -w 300 9 || die "another stack.sh holds $STATE/.stack.lock for more than 300 s"
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

main() {
    [ $# -ge 1 ] || usage
    local command=$1
    shift
    case "$command" in
    pg-stop)
        [ $# -le 1 ] || die "pg-stop takes at most one argument (immediate or fast)"
        take_lock
        pg_stop_mode "${1:-immediate}"
        return 0
        ;;
    pg-start)
        [ $# -eq 0 ] || die "pg-start takes no argument"
        take_lock
        pg_up
        return 0
        ;;
    esac
    local components=() c
    for c in "$@"; do
        [ "$c" = broker ] && c=kafka
        [[ $c == postgres || $c == kafka || $c == seaweedfs || $c == devbroker ]] ||
            die "unknown component '$c' (postgres, kafka, seaweedfs or devbroker)"
        components+=("$c")
    done
    local named=${#components[@]}
    [ "$named" -gt 0 ] || components=(postgres kafka seaweedfs)
    has() { [[ " ${components[*]} " == *" $1 "* ]]; }
    case "$command" in
    up)
        take_lock
        if has postgres; then pg_up; fi
        if has kafka; then MARKETPLACE_STATE_DIR=$STATE MARKETPLACE_BIN_DIR=$BIN_DIR "$KAFKA_CLUSTER" up 9>&-; fi
        if has seaweedfs; then MARKETPLACE_STATE_DIR=$STATE "$SEAWEEDFS" up 9>&-; fi
        if has devbroker; then broker_up; fi
        say "up; state and logs in $STATE"
        ;;
    down)
        [ -d "$STATE" ] || { say "nothing to stop (no $STATE)"; return 0; }
        take_lock
        [ "$named" -gt 0 ] || components=(postgres kafka seaweedfs devbroker)
        if has devbroker; then broker_down; fi
        if has seaweedfs; then MARKETPLACE_STATE_DIR=$STATE "$SEAWEEDFS" down 9>&-; fi
        if has kafka; then MARKETPLACE_STATE_DIR=$STATE "$KAFKA_CLUSTER" down 9>&-; fi
        if has postgres; then pg_down; fi
        ;;
    status)
        [ "$named" -gt 0 ] || components=(postgres kafka seaweedfs devbroker)
        if has postgres; then pg_status; fi
        if has kafka; then MARKETPLACE_STATE_DIR=$STATE "$KAFKA_CLUSTER" status; fi
        if has seaweedfs; then MARKETPLACE_STATE_DIR=$STATE "$SEAWEEDFS" status; fi
        if has devbroker; then broker_status; fi
        ;;
    check)
        if has postgres; then load_pg_paths && pg_running || return 1; fi
        if has kafka; then MARKETPLACE_STATE_DIR=$STATE "$KAFKA_CLUSTER" check || return 1; fi
        if has seaweedfs; then MARKETPLACE_STATE_DIR=$STATE "$SEAWEEDFS" check || return 1; fi
        if has devbroker; then broker_running || return 1; fi
        ;;
    reset)
        [ -d "$STATE" ] || return 0
        take_lock
        [ "$named" -gt 0 ] || components=(postgres kafka seaweedfs devbroker)
        if has devbroker; then
            broker_down
            rm -rf "$KAFKA_DIR"
        fi
        if has seaweedfs; then MARKETPLACE_STATE_DIR=$STATE "$SEAWEEDFS" reset 9>&-; fi
        if has kafka; then MARKETPLACE_STATE_DIR=$STATE "$KAFKA_CLUSTER" reset 9>&-; fi
        if has postgres; then
            pg_down
            load_pg_paths
            if [ "$PG_BASE" != "$PG_STATE" ] && [[ $PG_BASE == "$PG_FALLBACK_ROOT"/* ]]; then
                rm -rf "$PG_BASE"
            fi
            rm -rf "$PG_STATE"
        fi
        say "reset: ${components[*]} data deleted (logs kept in $LOG_DIR)"
        ;;
    -h | --help | help) usage ;;
    *) die "unknown command '$command' (up, down, status, check, reset, pg-stop, pg-start)" ;;
    esac
}

main "$@"
