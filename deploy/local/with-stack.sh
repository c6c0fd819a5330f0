#!/usr/bin/env bash
# Runs a command against the local development stack (deploy/local/stack.sh).
#
# usage: deploy/local/with-stack.sh BUILD_DIR -- command [args...]
#
# Starts whatever part of the stack (PostgreSQL, the Kafka cluster, SeaweedFS) is not already running, using
# the tools from BUILD_DIR, runs the command, and on the way out stops only what it started itself.
# MARKETPLACE_STACK_COMPONENTS names the parts (default "postgres kafka seaweedfs"; add devbroker for the mock). Exits with the command's status (128+N when a signal N stopped it). SIGINT,
# SIGTERM and SIGHUP are passed on to the command's whole process group before the stack stops.
# shellcheck disable=SC2317  # the functions below run from traps
set -euo pipefail

usage() {
    echo "usage: $0 BUILD_DIR -- command [args...]" >&2
    exit 2
}
if [ $# -lt 3 ] || [ "$2" != "--" ]; then
    usage
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HERE/../.." && pwd)
STACK=$HERE/stack.sh
export MARKETPLACE_BIN_DIR
MARKETPLACE_BIN_DIR=$(realpath -m -- "$1")
export MARKETPLACE_STATE_DIR
MARKETPLACE_STATE_DIR=$(realpath -m -- "${MARKETPLACE_STATE_DIR:-$REPO_ROOT/.state}")
shift 2

started=()
child=
signal_status=

stop_what_we_started() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ ${#started[@]} -gt 0 ]; then
        echo "with-stack: stopping ${started[*]} (started for this command)"
        "$STACK" down "${started[@]}" || echo "with-stack: warning: stopping the stack failed" >&2
    fi
    exit "$rc"
}

on_signal() {
    signal_status=$1
    if [ -n "$child" ]; then
        # The command runs in its own process group (set -m below): signal all of it.
        kill -TERM -- "-$child" 2>/dev/null || kill -TERM "$child" 2>/dev/null || true
    else
        exit "$signal_status"
    fi
}

trap stop_what_we_started EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

for component in ${MARKETPLACE_STACK_COMPONENTS:-postgres kafka seaweedfs}; do
    "$STACK" check "$component" || started+=("$component")
done
if [ ${#started[@]} -gt 0 ]; then
    "$STACK" up "${started[@]}"
else
    echo "with-stack: the stack is already running; leaving it running afterwards"
fi

set -m # the command gets its own process group
"$@" &
child=$!
set +m

status=
while [ -z "$status" ]; do
    if wait "$child"; then rc=0; else rc=$?; fi
    # A trapped signal interrupts wait with a status > 128 while the command may still run.
    if [ "$rc" -gt 128 ] && kill -0 "$child" 2>/dev/null; then
        continue
    fi
    status=$rc
done
if [ -n "$signal_status" ] && [ "$status" -eq 0 ]; then
    status=$signal_status
fi
exit "$status"
