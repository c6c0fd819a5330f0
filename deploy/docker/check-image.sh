#!/usr/bin/env bash
# Checks the container image's files without a Docker engine:
#   - the Dockerfile: two stages (Debian 12 build running deploy/local/deps.sh, Debian 12 slim
#     runtime), a non-root USER, a HEALTHCHECK, COPY sources that exist, and the same service list
#     as services/ (each with its <service>_service target);
#   - the entrypoint and health-check scripts, run from a scratch prefix laid out as in the image:
#     default listen addresses per service, the environment's own addresses kept, an unknown
#     service refused, the health check probing the right port with marketplace-healthcheck;
#   - runtime-packages.sh: names the Debian packages of a real binary's libraries and refuses a
#     library no package ships.
# usage: deploy/docker/check-image.sh HEALTHCHECK_BINARY
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
HEALTHCHECK=${1:?usage: check-image.sh HEALTHCHECK_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
DOCKERFILE=$HERE/Dockerfile

# --- the Dockerfile
grep -qE '^FROM debian:12 AS build$' "$DOCKERFILE" && grep -qE '^FROM debian:12-slim AS runtime$' "$DOCKERFILE" &&
    ok "Dockerfile: build on debian:12, runtime on debian:12-slim" || fail "Dockerfile: stages must be debian:12 AS build and debian:12-slim AS runtime"
grep -qE '^RUN /src/deploy/local/deps.sh' "$DOCKERFILE" && ok "Dockerfile: the build stage runs deploy/local/deps.sh" ||
    fail "Dockerfile: the build stage must run deploy/local/deps.sh"
user=$(awk '$1 == "USER" { print $2 }' "$DOCKERFILE" | tail -n 1)
[[ $user =~ ^[1-9][0-9]*(:[1-9][0-9]*)?$ ]] && ok "Dockerfile: runs as USER $user" || fail "Dockerfile: the last USER must be a non-root uid, got '$user'"
grep -qE '^HEALTHCHECK .*CMD ' "$DOCKERFILE" && ok "Dockerfile: has a HEALTHCHECK" || fail "Dockerfile: HEALTHCHECK is missing"
while read -r src; do
    [ -e "$REPO/$src" ] && ok "Dockerfile: COPY $src exists" || fail "Dockerfile: COPY source $src does not exist"
done < <(awk '$1 == "COPY" && $2 !~ /^--from/ && $2 != "." { print $2 }' "$DOCKERFILE")
listed=$(grep -oE '^ +[a-z|]+\) ;;' "$DOCKERFILE" | head -n 1 | tr -d ' );' | tr '|' ' ')
for s in $listed; do
    if [ -f "$REPO/services/$s/CMakeLists.txt" ]; then
        # Either spelled out, or made by the service kit's marketplace_add_service(NAME <service> ...).
        grep -qE "add_executable\(${s}_service |marketplace_add_service\(NAME ${s}( |\)|$)" "$REPO/services/$s/CMakeLists.txt" &&
            ok "SERVICE=$s builds target ${s}_service" || fail "services/$s has no ${s}_service target"
    else
        echo "note: services/$s is not in this tree yet; SERVICE=$s cannot build here"
    fi
done
for dir in "$REPO"/services/*/; do
    s=$(basename "$dir")
    if grep -qs "add_executable(${s}_service " "$dir/CMakeLists.txt" && [[ " $listed " != *" $s "* ]]; then
        fail "Dockerfile: service $s is not in the SERVICE list"
    fi
done

# --- the scripts, in a prefix laid out like the image's /usr/local
P=$TMP/prefix
mkdir -p "$P/bin" "$P/lib/marketplace"
install -m 0755 "$HERE/entrypoint.sh" "$P/bin/marketplace-entrypoint"
install -m 0755 "$HERE/healthcheck.sh" "$P/bin/marketplace-container-health"
install -m 0644 "$HERE/defaults.sh" "$P/lib/marketplace/defaults.sh"
install -m 0755 "$HEALTHCHECK" "$P/bin/marketplace-healthcheck"
for s in auth jobs contracts payments notifications disputes workroom clans gateway; do
    # A stand-in for the service binary: prints its arguments and the addresses it was given.
    printf '#!/bin/sh\necho "args=$*" "grpc=${GRPC_LISTEN:-}" "gateway=${GATEWAY_LISTEN:-}" "metrics=$METRICS_LISTEN"\n' >"$P/bin/marketplace-$s"
    chmod +x "$P/bin/marketplace-$s"
done
expect_run() { # expected output, environment assignments...
    local expected=$1 got
    shift
    got=$(env -i PATH=/usr/bin:/bin "$@" "$P/bin/marketplace-entrypoint" --flag 2>&1) || true
    [ "$got" = "$expected" ] && ok "entrypoint $*: $got" || fail "entrypoint $*: expected '$expected', got '$got'"
}
expect_run "args=--flag grpc=0.0.0.0:7101 gateway= metrics=0.0.0.0:9101" MARKETPLACE_SERVICE=auth
expect_run "args=--flag grpc=0.0.0.0:7103 gateway= metrics=0.0.0.0:9103" MARKETPLACE_SERVICE=contracts
expect_run "args=--flag grpc=0.0.0.0:7105 gateway= metrics=0.0.0.0:9105" MARKETPLACE_SERVICE=notifications
expect_run "args=--flag grpc=0.0.0.0:7107 gateway= metrics=0.0.0.0:9107" MARKETPLACE_SERVICE=disputes
expect_run "args=--flag grpc=0.0.0.0:7108 gateway= metrics=0.0.0.0:9108" MARKETPLACE_SERVICE=workroom
expect_run "args=--flag grpc=0.0.0.0:7109 gateway= metrics=0.0.0.0:9109" MARKETPLACE_SERVICE=clans
expect_run "args=--flag grpc= gateway=0.0.0.0:8080 metrics=0.0.0.0:9100" MARKETPLACE_SERVICE=gateway
expect_run "args=--flag grpc=10.0.0.5:7000 gateway= metrics=off" MARKETPLACE_SERVICE=payments GRPC_LISTEN=10.0.0.5:7000 METRICS_LISTEN=off
if out=$(env -i PATH=/usr/bin:/bin MARKETPLACE_SERVICE=billing "$P/bin/marketplace-entrypoint" 2>&1); then
    fail "entrypoint accepted an unknown service: $out"
elif [[ $out == *"MARKETPLACE_SERVICE: must be one of"*"got 'billing'"* ]]; then
    ok "entrypoint refuses an unknown service, naming MARKETPLACE_SERVICE"
else
    fail "entrypoint: unexpected refusal: $out"
fi

# The health check probes the service's gRPC port, or the gateway's HTTP port; a free port, where
# nothing listens, is unhealthy.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if out=$(env -i PATH=/usr/bin:/bin MARKETPLACE_SERVICE=payments GRPC_LISTEN=0.0.0.0:$port "$P/bin/marketplace-container-health" 2>&1); then
    fail "health check of a service that does not run passed: $out"
elif [[ $out == "127.0.0.1:$port UNAVAILABLE"* ]]; then
    ok "health check probes gRPC 127.0.0.1:$port and reports it unhealthy"
else
    fail "health check (payments): unexpected output: $out"
fi
if out=$(env -i PATH=/usr/bin:/bin MARKETPLACE_SERVICE=gateway GATEWAY_LISTEN=0.0.0.0:$port "$P/bin/marketplace-container-health" 2>&1); then
    fail "health check of a gateway that does not run passed: $out"
elif [[ $out == "127.0.0.1:$port connect: Connection refused" ]]; then
    ok "health check probes the gateway's HTTP 127.0.0.1:$port and reports it unhealthy"
else
    fail "health check (gateway): unexpected output: $out"
fi

# --- runtime-packages.sh
if packages=$("$HERE/runtime-packages.sh" "$HEALTHCHECK"); then
    for p in libgrpc++1.51 libprotobuf32 libstdc++6; do
        grep -qx "$p" <<<"$packages" && ok "runtime-packages: $p" || fail "runtime-packages: $p missing from: $(echo $packages)"
    done
else
    fail "runtime-packages.sh failed on $HEALTHCHECK"
fi
mkdir -p "$TMP/libs"
cp "$(ldd "$HEALTHCHECK" | awk '$1 ~ /^libz\.so/ { print $3 }')" "$TMP/libs/"
if out=$(LD_LIBRARY_PATH=$TMP/libs "$HERE/runtime-packages.sh" "$HEALTHCHECK" 2>&1); then
    fail "runtime-packages.sh accepted a library no package ships"
elif [[ $out == *"no Debian package ships $TMP/libs/libz.so"* ]]; then
    ok "runtime-packages.sh refuses a library no package ships"
else
    fail "runtime-packages.sh: unexpected failure: $out"
fi

if [ "$failures" -ne 0 ]; then
    echo "check-image: $failures check(s) failed"
    exit 1
fi
echo "check-image: all checks passed"
