#!/usr/bin/env bash
# The compose check must fail on a broken file: a copy of docker-compose.yml where auth publishes
# its gRPC port and payments requires a secret .env.example does not document.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 - "$HERE/../../docker-compose.yml" "$TMP/broken.yml" <<'PY'
import sys
text = open(sys.argv[1]).read()
auth_image = "    image: ${MARKETPLACE_IMAGE_PREFIX:-marketplace}/auth:${MARKETPLACE_IMAGE_TAG:-dev}\n"
secret = "      PAYMENTS_WEBHOOK_SECRET: ${PAYMENTS_WEBHOOK_SECRET:?set PAYMENTS_WEBHOOK_SECRET (see .env.example)}\n"
assert auth_image in text and secret in text, "docker-compose.yml changed shape; update this test"
text = text.replace(auth_image, auth_image + '    ports:\n      - "7101:7101"\n', 1)
text = text.replace(secret, secret + "      PAYMENTS_FX_KEY: ${PAYMENTS_FX_KEY:?set PAYMENTS_FX_KEY (see .env.example)}\n", 1)
open(sys.argv[2], "w").write(text)
PY
if "$HERE/check-compose.sh" "$TMP/broken.yml" >"$TMP/out" 2>&1; then
    cat "$TMP/out"
    echo "FAIL: the compose check passed a broken file"
    exit 1
fi
status=0
for expected in "FAIL: PAYMENTS_FX_KEY is required by docker-compose.yml but not in .env.example" \
    "FAIL: config -q with .env.example filled in"; do
    if grep -qF "$expected" "$TMP/out"; then
        echo "ok: rejected: $expected"
    else
        echo "FAIL: expected '$expected' in:"
        cat "$TMP/out"
        status=1
    fi
done
# Without the undocumented secret, the shape check itself must catch the published port.
grep -v PAYMENTS_FX_KEY "$TMP/broken.yml" >"$TMP/ports.yml"
if "$HERE/check-compose.sh" "$TMP/ports.yml" >"$TMP/out2" 2>&1; then
    echo "FAIL: the compose check passed a file where auth publishes a port"
    status=1
elif grep -qF "FAIL: services.auth.ports: only the gateway publishes ports" "$TMP/out2"; then
    echo "ok: rejected: services.auth.ports"
else
    echo "FAIL: expected services.auth.ports in:"
    cat "$TMP/out2"
    status=1
fi
exit $status
