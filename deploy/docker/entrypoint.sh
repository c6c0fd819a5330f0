#!/bin/sh
# The container's entrypoint (installed as <prefix>/bin/marketplace-entrypoint): the listen
# addresses default to every interface (defaults.sh), then the service replaces this shell, so it
# receives SIGTERM itself and drains.
set -eu
prefix=$(cd "$(dirname "$0")/.." && pwd)
. "$prefix/lib/marketplace/defaults.sh"
exec "$prefix/bin/marketplace-$MARKETPLACE_SERVICE" "$@"
