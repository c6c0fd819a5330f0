#!/usr/bin/env bash
# Fetches Apache Kafka (the version pinned in pom.xml beside this file) with its runtime dependencies from
# Maven Central into a cache outside the repository, and checks every jar against SHA256SUMS.
# Idempotent and quiet when the verified jars are already there. Prints the cache folder with --print-dir.
#
# Environment: MARKETPLACE_KAFKA_CACHE   the cache folder (default ${XDG_CACHE_HOME:-~/.cache}/marketplace/kafka-<version>)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VERSION=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$HERE/pom.xml" | head -n1)
HOME_DIR=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
CACHE=${MARKETPLACE_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME_DIR/.cache}/marketplace/kafka-$VERSION}

if [ "${1:-}" = "--print-dir" ]; then
    echo "$CACHE"
    exit 0
fi

# Present and intact: every pinned jar there with its recorded checksum (about 0.3 s for 54 MiB).
verified() {
    [ -f "$CACHE/.verified" ] && cmp -s "$CACHE/.verified" "$HERE/SHA256SUMS" && [ -d "$CACHE/libs" ] &&
        (cd "$CACHE/libs" && sha256sum --quiet --strict -c "$HERE/SHA256SUMS" >/dev/null 2>&1)
}
verified && exit 0
[ -d "$CACHE/libs" ] && echo "kafka-fetch: $CACHE does not match deploy/local/kafka/SHA256SUMS; fetching again"

command -v mvn >/dev/null || { echo "kafka-fetch: error: mvn is missing (deploy/local/deps.sh installs maven)" >&2; exit 1; }
echo "kafka-fetch: fetching Apache Kafka $VERSION and its dependencies into $CACHE"
tmp=$(mktemp -d "${CACHE%/*}/.fetch.XXXXXX" 2>/dev/null || { mkdir -p "${CACHE%/*}" && mktemp -d "${CACHE%/*}/.fetch.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
if ! mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$tmp/libs" >"$tmp/mvn.log" 2>&1; then
    tail -n 30 "$tmp/mvn.log" >&2
    echo "kafka-fetch: error: mvn could not fetch the broker's jars" >&2
    exit 1
fi
# Exactly the pinned jars, each with its recorded checksum: nothing missing, nothing extra.
if ! (cd "$tmp/libs" && sha256sum --quiet --strict -c "$HERE/SHA256SUMS"); then
    echo "kafka-fetch: error: a fetched jar does not match deploy/local/kafka/SHA256SUMS" >&2
    exit 1
fi
extra=$(cd "$tmp/libs" && ls | grep -vxF -f <(awk '{print $2}' "$HERE/SHA256SUMS") || true)
if [ -n "$extra" ]; then
    echo "kafka-fetch: error: jars not listed in SHA256SUMS: $extra" >&2
    exit 1
fi
rm -rf "$CACHE"
mkdir -p "$CACHE"
mv "$tmp/libs" "$CACHE/libs"
cp "$HERE/SHA256SUMS" "$CACHE/.verified"
echo "kafka-fetch: Apache Kafka $VERSION ready ($(ls "$CACHE/libs" | wc -l) jars, $(du -sh "$CACHE/libs" | cut -f1))"
