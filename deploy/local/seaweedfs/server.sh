#!/usr/bin/env bash
# SeaweedFS on loopback for the local stack: one `weed server` process (master, volume server, filer and
# the S3 gateway) with its data under the state folder and one development identity for the S3 API.
# deploy/local/stack.sh runs it as the 'seaweedfs' component; it can also be used alone.
#
# usage: deploy/local/seaweedfs/server.sh up|down|status|check|reset
#   up      start it (idempotent), wait until the S3 API answers a signed request, create the dev bucket
#   down    stop it (SIGTERM, then SIGKILL after 20 s), by recorded pid only
#   status  one line
#   check   exit 0 if it runs
#   reset   down, then delete its data (the log is kept)
#
# Environment:
#   MARKETPLACE_STATE_DIR      state folder (default <repo>/.state): seaweedfs/, logs/seaweedfs.log
#   MARKETPLACE_S3_PORT        the S3 API's port on 127.0.0.1 (default 18333); the master, volume server
#                              and filer take PORT+1..PORT+3, their gRPC ports PORT+10..PORT+13
#   MARKETPLACE_SEAWEEDFS_CACHE  where deploy/local/seaweedfs/fetch.sh keeps the weed binary
#
# DEVELOPMENT ONLY: the access key and secret below are well known (libs/blob/include/marketplace/blob/
# s3_store.hpp has the same values). Telemetry to SeaweedFS's servers is switched off.
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HERE/../../.." && pwd)
STATE=$(realpath -m -- "${MARKETPLACE_STATE_DIR:-$REPO_ROOT/.state}")
DIR=$STATE/seaweedfs
LOG_DIR=$STATE/logs
LOG=$LOG_DIR/seaweedfs.log
PID_FILE=$DIR/weed.pid
if [ -s "$DIR/port" ] && [ -z "${MARKETPLACE_S3_PORT:-}" ]; then
    PORT=$(<"$DIR/port")
else
    PORT=${MARKETPLACE_S3_PORT:-18333}
fi
ACCESS_KEY=marketplace-dev
SECRET_KEY=marketplace-dev-secret-not-for-production
BUCKET=marketplace-dev

say() { echo "seaweedfs: $*"; }
die() {
    echo "seaweedfs: error: $*" >&2
    exit 1
}

[[ $PORT =~ ^[0-9]+$ ]] && ((PORT >= 1024 && PORT + 13 <= 65535)) ||
    die "MARKETPLACE_S3_PORT must be a port number from 1024 to 65522, got '$PORT'"

pid_alive() {
    [[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
    local state
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

# The recorded pid, if it is a live weed process serving this state folder.
our_pid() {
    local pid
    pid=$(cat "$PID_FILE" 2>/dev/null || true)
    pid_alive "$pid" || return 1
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "-dir=$DIR/data" || return 1
    echo "$pid"
}

# A signed ListBuckets through the S3 API: 200 once the gateway, the filer and the identity are ready.
s3_answers() {
    curl -sf -o /dev/null --max-time 2 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
        "http://127.0.0.1:$PORT/"
}

# The development bucket: a signed PUT, 200 when made, 409 when it exists. Right after a restart the
# master is still electing itself leader (raft) and bucket calls fail for a few seconds: retry for 60 s.
ensure_bucket() {
    local i code
    for ((i = 0; i < 120; i++)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" \
            --user "$ACCESS_KEY:$SECRET_KEY" "http://127.0.0.1:$PORT/$BUCKET" || true)
        [[ $code == 200 || $code == 409 ]] && return 0
        sleep 0.5
    done
    tail -n 20 "$LOG" >&2
    die "creating the bucket $BUCKET failed (last HTTP status '$code'); see $LOG"
}

write_config() {
    mkdir -p "$DIR/data" "$LOG_DIR"
    cat >"$DIR/s3.json.tmp" <<JSON
{
  "identities": [
    {
      "name": "$ACCESS_KEY",
      "credentials": [{"accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY"}],
      "actions": ["Admin", "Read", "Write", "List", "Tagging"]
    }
  ]
}
JSON
    chmod 0600 "$DIR/s3.json.tmp"
    mv -f "$DIR/s3.json.tmp" "$DIR/s3.json"
    echo "$PORT" >"$DIR/port"
}

up() {
    local pid
    if pid=$(our_pid); then
        s3_answers || die "weed (pid $pid) runs but its S3 API on 127.0.0.1:$PORT does not answer; see $LOG"
        ensure_bucket
        echo "http://127.0.0.1:$PORT" >"$DIR/endpoint.tmp"
        mv -f "$DIR/endpoint.tmp" "$DIR/endpoint"
        say "already running (pid $pid, S3 at http://127.0.0.1:$PORT)"
        return 0
    fi
    local weed
    weed=$("$HERE/fetch.sh" --print-bin)
    [ -x "$weed" ] || die "weed is not built: $weed is missing (run deploy/local/deps.sh or $HERE/fetch.sh)"
    rm -f "$PID_FILE" "$DIR/endpoint"
    write_config
    local args=(
        server -dir="$DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1
        -master.port=$((PORT + 1)) -master.port.grpc=$((PORT + 11)) -master.telemetry=false
        -master.volumeSizeLimitMB=128 -volume.max=0
        -volume.port=$((PORT + 2)) -volume.port.grpc=$((PORT + 12)) -volume.preStopSeconds=0
        -filer -filer.port=$((PORT + 3)) -filer.port.grpc=$((PORT + 13))
        -s3 -s3.port="$PORT" -s3.port.grpc=$((PORT + 10)) -s3.config="$DIR/s3.json"
        -s3.iam=false -s3.port.iceberg=0 -s3.port.lance=0
    )
    # 9>&-: the server must not inherit (and so hold) the stack lock.
    setsid nohup "$weed" "${args[@]}" >>"$LOG" 2>&1 </dev/null 9>&- &
    local launched=$! i
    echo "$launched" >"$PID_FILE"
    for ((i = 0; i < 600; i++)); do
        if ! pid_alive "$launched"; then
            tail -n 20 "$LOG" >&2
            die "weed exited during start-up; see $LOG (is a port from $PORT to $((PORT + 13)) taken? set MARKETPLACE_S3_PORT)"
        fi
        s3_answers && break
        sleep 0.1
    done
    if ((i == 600)); then
        tail -n 20 "$LOG" >&2
        die "the S3 API did not answer on 127.0.0.1:$PORT within 60 s; see $LOG (stack.sh down seaweedfs stops it)"
    fi
    ensure_bucket
    echo "http://127.0.0.1:$PORT" >"$DIR/endpoint.tmp"
    mv -f "$DIR/endpoint.tmp" "$DIR/endpoint"
    say "started (pid $launched, S3 at http://127.0.0.1:$PORT, bucket $BUCKET, data $DIR/data, log $LOG)"
}

down() {
    local pid i
    rm -f "$DIR/endpoint"
    if ! pid=$(our_pid); then
        rm -f "$PID_FILE"
        say "not running"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        pid_alive "$pid" || break
        sleep 0.1
    done
    if pid_alive "$pid"; then
        say "pid $pid ignored SIGTERM for 20 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            pid_alive "$pid" || break
            sleep 0.1
        done
        pid_alive "$pid" && die "weed (pid $pid) survived SIGKILL"
    fi
    rm -f "$PID_FILE"
    say "stopped (was pid $pid)"
}

status() {
    local pid
    if pid=$(our_pid); then
        local answer=answering
        s3_answers || answer="NOT answering"
        echo "seaweedfs: running  pid $pid  S3 http://127.0.0.1:$PORT ($answer)  data $DIR/data  log $LOG"
    else
        echo "seaweedfs: stopped"
    fi
}

case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
check) our_pid >/dev/null ;;
reset)
    down
    rm -rf "$DIR"
    say "reset: data deleted (log kept in $LOG)"
    ;;
*)
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
