#!/usr/bin/env bash
# Renders the Kubernetes manifests and checks them offline (no API server needed):
#   1. the base renders and ships no Secret;
#   2. the example overlay renders, with its gitignored secret files made from secrets/*.env.example
#      in a scratch copy (the real folder is never written to);
#   3. check.mjs: every rendered object against the upstream OpenAPI schema, strict fields, and the
#      project's rules;
#   4. check.test.mjs: the checker rejects broken copies of the same objects.
# usage: deploy/k8s/check/run.sh   (needs kubectl with kustomize v5, node, and `npm ci` done here:
#        deploy/local/deps.sh does it)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
K8S=$(dirname "$HERE")
die() {
    echo "FAIL: $*"
    exit 1
}
command -v kubectl >/dev/null || die "kubectl is not installed (kubectl kustomize renders the manifests)"
command -v node >/dev/null || die "node is not installed (the schema check runs on Node.js)"
[ -d "$HERE/node_modules/kubernetes-models" ] || die "the checker's packages are not installed: run deploy/local/deps.sh (npm ci in $HERE)"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

kubectl kustomize "$K8S/base" >"$TMP/base.yaml" || die "kubectl kustomize deploy/k8s/base failed"
if grep -q '^kind: Secret$' "$TMP/base.yaml"; then die "the base renders a Secret; secrets belong to overlays"; fi
echo "ok: base renders $(grep -c '^kind:' "$TMP/base.yaml") objects and no Secret"

cp -r "$K8S/base" "$K8S/overlays" "$TMP/"
for example in "$TMP"/overlays/example/secrets/*.env.example; do
    sed -E 's/^([A-Z_]+)=$/\1=check-value-0123456789abcdef/' "$example" >"${example%.example}"
done
kubectl kustomize "$TMP/overlays/example" >"$TMP/example.yaml" || die "kubectl kustomize deploy/k8s/overlays/example failed"
echo "ok: overlays/example renders $(grep -c '^kind:' "$TMP/example.yaml") objects"

node "$HERE/check.mjs" "$TMP/example.yaml"
RENDERED="$TMP/example.yaml" node --test --test-reporter=spec "$HERE/check.test.mjs"
