#!/bin/sh
# The image's HEALTHCHECK (installed as <prefix>/bin/marketplace-container-health): grpc.health.v1
# Check of a service on its gRPC port, GET /healthz of the gateway on its HTTP port, with the
# addresses the entrypoint uses (defaults.sh). Exit 0 healthy, 1 not.
set -eu
prefix=$(cd "$(dirname "$0")/.." && pwd)
. "$prefix/lib/marketplace/defaults.sh"
if [ "$MARKETPLACE_SERVICE" = gateway ]; then
    exec "$prefix/bin/marketplace-healthcheck" --timeout 3s --http /healthz "127.0.0.1:${GATEWAY_LISTEN##*:}"
fi
exec "$prefix/bin/marketplace-healthcheck" --timeout 3s "127.0.0.1:${GRPC_LISTEN##*:}"
