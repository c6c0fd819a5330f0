# shellcheck shell=sh
# Sourced by the image's entrypoint and health check (POSIX sh): the listen addresses of
# $MARKETPLACE_SERVICE, unless the environment sets them. The binaries default to loopback, which
# suits a developer's machine; in a container they listen on every interface, on the well-known ports:
#   gRPC    auth 7101, jobs 7102, contracts 7103, payments 7104, notifications 7105, disputes 7107, workroom 7108,
#           clans 7109
#   metrics 9100 + the same offset (gateway 9100); gateway HTTP 8080
case "${MARKETPLACE_SERVICE:-}" in
    auth) marketplace_offset=1 ;;
    jobs) marketplace_offset=2 ;;
    contracts) marketplace_offset=3 ;;
    payments) marketplace_offset=4 ;;
    notifications) marketplace_offset=5 ;;
    disputes) marketplace_offset=7 ;;
    workroom) marketplace_offset=8 ;;
    clans) marketplace_offset=9 ;;
    gateway) marketplace_offset=0 ;;
    *)
        echo "MARKETPLACE_SERVICE: must be one of auth, jobs, contracts, payments, notifications, disputes, workroom, clans, gateway; got '${MARKETPLACE_SERVICE:-}'" >&2
        exit 2
        ;;
esac
if [ "$MARKETPLACE_SERVICE" = gateway ]; then
    GATEWAY_LISTEN="${GATEWAY_LISTEN:-0.0.0.0:8080}"
    export GATEWAY_LISTEN
else
    GRPC_LISTEN="${GRPC_LISTEN:-0.0.0.0:710$marketplace_offset}"
    export GRPC_LISTEN
fi
METRICS_LISTEN="${METRICS_LISTEN:-0.0.0.0:910$marketplace_offset}"
export METRICS_LISTEN
