#!/usr/bin/env bash
# Installs, with apt-get, every Debian package the build, the local stack and the tests need.
# Idempotent and quiet when everything is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librdkafka-dev libpqxx-dev libpq-dev libspdlog-dev libfmt-dev nlohmann-json3-dev catch2
  libsodium-dev libcurl4-openssl-dev
  golang-github-gogo-googleapis-dev grpc-proto
  postgresql-15 postgresql-client-15 postgresql-contrib
  procps iproute2 python3 python3-venv clang-format curl jq
  libboost1.81-dev golang-grpc-gateway
  prometheus-cpp-dev
  wrk
  docker-compose prometheus python3-yaml
  openjdk-17-jre-headless maven openssl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# The Kubernetes manifests' schema check (deploy/k8s/check): its npm packages, pinned by the lock
# file. Skipped where Node.js is absent (the container image's build stage does not need it).
k8s_check="$(dirname "${BASH_SOURCE[0]}")/../k8s/check"
if command -v npm > /dev/null && [ -f "$k8s_check/package-lock.json" ] &&
  ! cmp -s "$k8s_check/package-lock.json" "$k8s_check/node_modules/.marketplace-lock"; then
  echo "deps: npm ci in deploy/k8s/check"
  (cd "$k8s_check" && npm ci --no-audit --no-fund --loglevel=error > /tmp/marketplace-npm.log 2>&1) || {
    echo "deps: npm ci failed; see /tmp/marketplace-npm.log" >&2
    tail -20 /tmp/marketplace-npm.log >&2
    exit 1
  }
  cp "$k8s_check/package-lock.json" "$k8s_check/node_modules/.marketplace-lock"
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
  else
    SUDO=
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package's own cluster from being created: the local stack makes its own.
  if [ ! -e /etc/postgresql-common/createcluster.conf ] || ! grep -q '^create_main_cluster = false' /etc/postgresql-common/createcluster.conf; then
    $SUDO mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' | $SUDO tee -a /etc/postgresql-common/createcluster.conf > /dev/null
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" > /tmp/marketplace-deps.log 2>&1 || {
    echo "deps: apt-get install failed; see /tmp/marketplace-deps.log" >&2
    tail -20 /tmp/marketplace-deps.log >&2
    exit 1
  }
  echo "deps: done"
fi

# Spectral (the OpenAPI linter of tools/openapi-lint), pinned by its lock file, into a cache folder.
openapi_lint="$(dirname "${BASH_SOURCE[0]}")/../../tools/openapi-lint"
openapi_lint_cache="${MARKETPLACE_CACHE_DIR:-$HOME/.cache/marketplace}/openapi-lint"
if command -v npm > /dev/null && ! cmp -s "$openapi_lint/package-lock.json" "$openapi_lint_cache/.marketplace-lock"; then
  echo "deps: npm ci for tools/openapi-lint into $openapi_lint_cache"
  mkdir -p "$openapi_lint_cache"
  cp "$openapi_lint/package.json" "$openapi_lint/package-lock.json" "$openapi_lint_cache/"
  (cd "$openapi_lint_cache" && npm ci --no-audit --no-fund --loglevel=error > /tmp/marketplace-npm-openapi.log 2>&1) || {
    echo "deps: npm ci failed; see /tmp/marketplace-npm-openapi.log" >&2
    tail -20 /tmp/marketplace-npm-openapi.log >&2
    exit 1
  }
  cp "$openapi_lint/package-lock.json" "$openapi_lint_cache/.marketplace-lock"
fi

# Schemathesis (the API fuzzing run of tools/api-fuzz), pinned by its requirements file, in a venv.
api_fuzz="$(dirname "${BASH_SOURCE[0]}")/../../tools/api-fuzz"
api_fuzz_venv="${MARKETPLACE_CACHE_DIR:-$HOME/.cache/marketplace}/api-fuzz-venv"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import venv, ensurepip' 2> /dev/null &&
  ! cmp -s "$api_fuzz/requirements.txt" "$api_fuzz_venv/.marketplace-requirements"; then
  echo "deps: pip install tools/api-fuzz/requirements.txt into $api_fuzz_venv"
  rm -rf "$api_fuzz_venv"
  /usr/bin/python3 -m venv "$api_fuzz_venv"
  "$api_fuzz_venv/bin/pip" install --quiet --disable-pip-version-check -r "$api_fuzz/requirements.txt" \
    > /tmp/marketplace-pip-api-fuzz.log 2>&1 || {
    echo "deps: pip install failed; see /tmp/marketplace-pip-api-fuzz.log" >&2
    tail -20 /tmp/marketplace-pip-api-fuzz.log >&2
    exit 1
  }
  cp "$api_fuzz/requirements.txt" "$api_fuzz_venv/.marketplace-requirements"
fi

# The iCalendar parser the workroom's calendar test checks the export with (PyPI, pinned), in its own
# venv outside the repository; rebuilt when the pins change.
ical_venv="${HOME:-/root}/.cache/marketplace/icalendar-venv"
ical_pins="$(dirname "${BASH_SOURCE[0]}")/icalendar-requirements.txt"
if ! cmp -s "$ical_pins" "$ical_venv/.marketplace-pins"; then
  echo "deps: Python venv with icalendar in $ical_venv"
  rm -rf "$ical_venv"
  python3 -m venv "$ical_venv"
  "$ical_venv/bin/pip" install --quiet --disable-pip-version-check -r "$ical_pins" > /tmp/marketplace-pip.log 2>&1 || {
    echo "deps: pip install failed; see /tmp/marketplace-pip.log" >&2
    tail -20 /tmp/marketplace-pip.log >&2
    exit 1
  }
  cp "$ical_pins" "$ical_venv/.marketplace-pins"
fi

# Apache Kafka's broker (Maven Central), into a cache outside the repository.
"$(dirname "${BASH_SOURCE[0]}")/kafka/fetch.sh"

# SeaweedFS's weed (the local S3-compatible store), built from the Go module proxy into a cache.
# MARKETPLACE_DEPS_NO_SEAWEEDFS=1 skips it where no local stack runs (the container image's build).
if [ "${MARKETPLACE_DEPS_NO_SEAWEEDFS:-0}" != 1 ]; then
    "$(dirname "${BASH_SOURCE[0]}")/seaweedfs/fetch.sh"
fi
