#!/usr/bin/env bash
# Lints the gateway's OpenAPI document with Spectral's built-in OpenAPI ruleset (.spectral.yaml here):
# any error fails; warnings are printed.
#   tools/openapi-lint/lint.sh <marketplace-openapi-dump binary | openapi.json file>
# Spectral (pinned by package-lock.json) is installed by deploy/local/deps.sh into
# ${MARKETPLACE_CACHE_DIR:-~/.cache/marketplace}/openapi-lint.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${MARKETPLACE_CACHE_DIR:-$HOME/.cache/marketplace}/openapi-lint
spectral=$cache/node_modules/.bin/spectral
[ $# -eq 1 ] || { echo "usage: $0 <openapi dump binary | openapi.json>" >&2; exit 2; }
if [ ! -x "$spectral" ] || ! cmp -s "$here/package-lock.json" "$cache/.marketplace-lock"; then
    echo "openapi-lint: Spectral is not installed (or not at the pinned version) in $cache; run 'make deps'" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -x "$1" ] && [ ! -d "$1" ] && [[ $1 != *.json ]]; then
    "$1" >"$work/openapi.json"
else
    cp "$1" "$work/openapi.json"
fi
cp "$here/.spectral.yaml" "$work/.spectral.yaml"
cd "$work"
# --fail-severity=error: warnings (style advice) are shown but do not fail.
"$spectral" lint --ruleset .spectral.yaml --fail-severity=error --format=stylish openapi.json
