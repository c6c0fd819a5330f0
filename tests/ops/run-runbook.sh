#!/usr/bin/env bash
# Runs every ```sh block of docs/OPERATIONS.md, in order, in one shell, as an operator would type
# them on a development machine: the services on the local stack, on ports moved by an offset and
# with their own topic prefix, so that nothing else running is disturbed. Stops what it started.
#
# usage: tests/ops/run-runbook.sh REPO_ROOT BUILD_DIR [DOC]
set -euo pipefail

REPO_ROOT=$(realpath "$1")
BUILD_DIR=$(realpath "$2")
DOC=${3:-$REPO_ROOT/docs/OPERATIONS.md}
[ -f "$DOC" ] || { echo "runbook: no $DOC" >&2; exit 2; }

script=$(mktemp /tmp/marketplace-runbook.XXXXXX)
trap 'rm -f "$script"' EXIT
{
    echo 'set -euo pipefail'
    echo "cd '$REPO_ROOT'"
    echo "export BUILD_DIR='$BUILD_DIR' MARKETPLACE_BIN_DIR='$BUILD_DIR'"
    echo "export MARKETPLACE_PORT_OFFSET=\${MARKETPLACE_PORT_OFFSET:-21000}"
    echo "export KAFKA_TOPIC_PREFIX=runbook-\$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \\n')."
    # Whatever happens, the services this run started are stopped (by their recorded pids).
    echo "trap 'deploy/local/services.sh down >/dev/null 2>&1 || true' EXIT"
    awk '
        /^```sh[[:space:]]*$/ { inblock = 1; n++; first = ""; next }
        /^```/ && inblock { inblock = 0; next }
        inblock {
            if (first == "") {
                first = $0; gsub(/\047/, "", first)
                printf "echo \047runbook: block %d: %s\047 >&2\n", n, first
            }
            print
        }
    ' "$DOC"
} >"$script"

blocks=$(grep -c '^```sh[[:space:]]*$' "$DOC" || true)
[ "$blocks" -gt 0 ] || { echo "runbook: $DOC has no sh blocks" >&2; exit 1; }
echo "runbook: running $blocks blocks of $DOC" >&2
bash "$script"
echo "runbook: all $blocks blocks ran" >&2
