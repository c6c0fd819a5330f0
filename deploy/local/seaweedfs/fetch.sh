#!/usr/bin/env bash
# Builds SeaweedFS's `weed` (the local stack's S3-compatible object store) from the Go module proxy at
# the version pinned below, into a cache outside the repository. Idempotent and quiet when the binary
# for the pinned version is already there. Prints the binary's path with --print-bin.
#
# The module is built as the main module (its go.mod has replace directives, which `go install
# module@version` refuses): `go mod download` fetches it (checked against the recorded hash below and
# Go's checksum database), a copy is built with `go build ./weed`. The module wants Go 1.26.6 or later:
# a `go` of 1.21 or later fetches that toolchain by itself from the module proxy (GOTOOLCHAIN=auto);
# with no `go` at all, Debian's golang-go (1.19) is installed and used only to download the toolchain
# module (golang.org/toolchain) from the proxy.
#
# Measured on the 2-core development machine: the first build (downloading about 500 modules) took
# 10 min 14 s wall (5 min 37 s CPU) while other builds ran; a rebuild from Go's warm caches well under that.
#
# Environment: MARKETPLACE_SEAWEEDFS_CACHE   the cache folder
#              (default ${XDG_CACHE_HOME:-~/.cache}/marketplace/seaweedfs-<version>)
set -euo pipefail

MODULE=github.com/seaweedfs/seaweedfs
# SeaweedFS 4.53 (commit 7506e5f91cd6, 2026-11-09); the module proxy serves it as a pseudo-version.
VERSION=v0.0.0-20261109003541-7506e5f91cd6
MODULE_SUM=h1:LOYZFToHq9F7pSR6lkPGfkM8RmHlVFrzndKdhmNZjrU=
TOOLCHAIN=go1.26.8
HOME_DIR=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
CACHE=${MARKETPLACE_SEAWEEDFS_CACHE:-${XDG_CACHE_HOME:-$HOME_DIR/.cache}/marketplace/seaweedfs-$VERSION}
BIN=$CACHE/weed

say() { echo "seaweedfs-fetch: $*"; }
die() {
    echo "seaweedfs-fetch: error: $*" >&2
    exit 1
}

if [ "${1:-}" = "--print-bin" ]; then
    echo "$BIN"
    exit 0
fi
if [ -x "$BIN" ] && [ "$(cat "$CACHE/.version" 2>/dev/null)" = "$VERSION $MODULE_SUM" ]; then
    exit 0
fi

# A go that can fetch its own toolchain (1.21+), else one made from the proxy's toolchain module.
go_minor() { "$1" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p'; }
GO=
for candidate in "$(command -v go || true)" /usr/local/go/bin/go /usr/lib/go/bin/go; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
        minor=$(go_minor "$candidate")
        if [ -n "$minor" ] && [ "$minor" -ge 21 ]; then
            GO=$candidate
            break
        fi
    fi
done
if [ -z "$GO" ]; then
    old=$(command -v go || true)
    if [ -z "$old" ]; then
        say "no go command; installing Debian's golang-go to fetch the Go toolchain module"
        SUDO=
        [ "$(id -u)" -eq 0 ] || SUDO=sudo
        $SUDO apt-get install -y -qq --no-install-recommends golang-go >/dev/null || die "apt-get install golang-go failed"
        old=$(command -v go) || die "golang-go installed no go command"
    fi
    say "$("$old" version) is older than 1.21; fetching the $TOOLCHAIN toolchain module from the proxy"
    tool_dir=$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod "$old" mod download -json \
        "golang.org/toolchain@v0.0.1-$TOOLCHAIN.linux-$(dpkg --print-architecture)" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    [ -f "$tool_dir/bin/go" ] || die "the toolchain module has no bin/go"
    # Module files are extracted without their modes: a copy with its programs made executable.
    rm -rf "$CACHE/go-toolchain"
    mkdir -p "$CACHE"
    cp -r "$tool_dir" "$CACHE/go-toolchain"
    chmod -R u+w "$CACHE/go-toolchain"
    chmod +x "$CACHE/go-toolchain/bin/"* "$CACHE/go-toolchain/pkg/tool/"*/*
    GO=$CACHE/go-toolchain/bin/go
fi
export GOTOOLCHAIN=auto GOFLAGS=-mod=readonly CGO_ENABLED=0

say "building $MODULE $VERSION (the weed command) with $("$GO" version); this takes minutes the first time"
started=$(date +%s)
info=$(cd / && "$GO" mod download -json "$MODULE@$VERSION") || die "go mod download $MODULE@$VERSION failed"
src=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$info")
sum=$(sed -n 's/^\t"Sum": "\(.*\)",$/\1/p' <<<"$info")
[ "$sum" = "$MODULE_SUM" ] || die "$MODULE@$VERSION has hash $sum, expected $MODULE_SUM"
[ -f "$src/go.mod" ] || die "no module source in '$src'"
mkdir -p "${CACHE%/*}"
tmp=$(mktemp -d "${CACHE%/*}/.build.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
cp -r "$src" "$tmp/src"
chmod -R u+w "$tmp/src"
if ! (cd "$tmp/src" && "$GO" build -trimpath -ldflags "-s -w" -o "$tmp/weed" ./weed) >"$tmp/build.log" 2>&1; then
    tail -n 30 "$tmp/build.log" >&2
    die "go build failed"
fi
"$tmp/weed" version >/dev/null 2>&1 || die "the built weed does not run"
mkdir -p "$CACHE"
mv -f "$tmp/weed" "$BIN"
echo "$VERSION $MODULE_SUM" >"$CACHE/.version"
say "$("$BIN" version 2>/dev/null | head -n1) ready in $BIN ($(($(date +%s) - started)) s)"
