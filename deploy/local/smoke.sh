#!/usr/bin/env bash
# The fixed-price story through the gateway with curl, as a client and a freelancer would play it:
# after a deployment, it shows that routing, auth, the sagas over Kafka and the ledger all work.
# Prints each call and, at the end, the milestone id (for `make timeline MILESTONE=<id>`).
#
# usage: deploy/local/smoke.sh [GATEWAY_URL]      (default http://127.0.0.1:8080)
#   SMOKE_AMOUNT   the milestone's amount in euro cents (default 150000); the client deposits it
#   SMOKE_QUIET=1  print only the milestone id
# Exits non-zero, naming the step, when a call fails or a saga step does not happen within 30 s.
set -euo pipefail

GATEWAY=${1:-http://127.0.0.1:8080}
AMOUNT=${SMOKE_AMOUNT:-150000}
[[ $AMOUNT =~ ^[1-9][0-9]{0,11}$ ]] || {
    echo "smoke: SMOKE_AMOUNT must be a positive number of cents, got '$AMOUNT'" >&2
    exit 2
}
command -v jq >/dev/null || {
    echo "smoke: jq is missing (make deps installs it)" >&2
    exit 2
}

log() { [ "${SMOKE_QUIET:-0}" = 1 ] || echo "smoke: $*" >&2; }
fail() {
    echo "smoke: FAILED: $*" >&2
    exit 1
}

# call METHOD PATH [TOKEN] [JSON] -> the response body; fails on a non-2xx status.
call() {
    local method=$1 path=$2 token=${3:-} body=${4:-} out status
    local args=(-sS -o /dev/stdout -w '\n%{http_code}' -X "$method" --max-time 20 -H 'Accept: application/json')
    [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
    if [ "$method" != GET ]; then
        args+=(-H 'Content-Type: application/json' -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)")
        args+=(--data-binary "${body:-{\}}")
    fi
    out=$(curl "${args[@]}" "$GATEWAY$path") || fail "$method $path: curl could not reach $GATEWAY"
    status=${out##*$'\n'}
    out=${out%$'\n'*}
    log "$method $path -> $status"
    [[ $status == 2?? ]] || fail "$method $path answered $status: $out"
    printf '%s' "$out"
}

# until JQ_FILTER PATH TOKEN WHAT -> waits until the filter yields a non-empty value; prints it.
until_value() {
    local filter=$1 path=$2 token=$3 what=$4 value i
    for ((i = 0; i < 150; i++)); do
        value=$(SMOKE_QUIET=1 call GET "$path" "$token" | jq -r "$filter")
        if [ -n "$value" ] && [ "$value" != null ]; then
            printf '%s' "$value"
            return 0
        fi
        sleep 0.2
    done
    fail "$what did not happen within 30 s"
}

eur() { jq -cn --arg m "$1" '{minor_units: $m, currency: "EUR"}'; }

register() { # role name -> "user_id token"
    local email password token
    email="$2-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')@smoke.marketplace.test"
    password="smoke password $(head -c6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    call POST /v1/auth/register "" "$(jq -cn --arg e "$email" --arg p "$password" --arg r "$1" --arg n "$2" \
        '{email: $e, password: $p, role: $r, display_name: $n}')" >/dev/null
    token=$(call POST /v1/auth/login "" "$(jq -cn --arg e "$email" --arg p "$password" '{email: $e, password: $p}')" |
        jq -r .session.access_token)
    printf '%s' "$token"
}

log "gateway $GATEWAY"
for ((i = 0; ; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$GATEWAY/readyz" || true)" = 200 ] && break
    ((i < 150)) || fail "$GATEWAY/readyz is not 200 after 30 s: the gateway or a service behind it is not ready"
    sleep 0.2
done

CLIENT=$(register ROLE_CLIENT client)
FREELANCER=$(register ROLE_FREELANCER freelancer)

TEMPLATE=$(call GET /v1/job-templates | jq -r '.templates[0].template_id')
JOB=$(call POST /v1/jobs "$CLIENT" "$(jq -cn --arg t "$TEMPLATE" --argjson min "$(eur 50000)" \
    --argjson max "$(eur $((AMOUNT * 2)))" \
    '{title: "Smoke test SaaS MVP", description: "A SaaS MVP with authentication, billing and an admin panel.",
      budget_type: "BUDGET_TYPE_FIXED", budget_min: $min, budget_max: $max, template_id: $t}')" | jq -r .job.job_id)
DUE=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
PROPOSAL=$(call POST "/v1/jobs/$JOB/proposals" "$FREELANCER" "$(jq -cn --argjson a "$(eur "$AMOUNT")" --arg due "$DUE" \
    '{cover_letter: "I have shipped SaaS products of this shape.", total: $a, delivery_days: 30,
      milestones: [{title: "Milestone 1", description: "The MVP", amount: $a, due_date: $due,
                    definition_of_done: ["Deployed to staging"]}]}')" | jq -r .proposal.proposal_id)
call POST "/v1/proposals/$PROPOSAL:accept" "$CLIENT" >/dev/null

# contracts creates the contract from the ProposalAccepted event.
CONTRACT=$(until_value ".contracts[] | select(.proposal_id == \"$PROPOSAL\") | .contract_id" /v1/contracts "$CLIENT" \
    "the contract from the accepted proposal")
MILESTONE=$(call GET "/v1/contracts/$CONTRACT" "$CLIENT" | jq -r '.contract.milestones[0].milestone_id')
for token in "$CLIENT" "$FREELANCER"; do
    HASH=$(call GET "/v1/contracts/$CONTRACT/statement-of-work" "$token" | jq -r .statement_of_work.content_hash)
    call POST "/v1/contracts/$CONTRACT/statement-of-work:sign" "$token" "$(jq -cn --arg h "$HASH" '{content_hash: $h}')" \
        >/dev/null
done

# The sandbox provider confirms the deposit through its signed webhook.
call POST /v1/wallet/deposits "$CLIENT" "{\"amount\": $(eur "$AMOUNT")}" >/dev/null
until_value ".balances[] | select(.currency == \"EUR\" and .available.minor_units == \"$AMOUNT\") | .currency" \
    /v1/wallet/balances "$CLIENT" "the deposit's credit" >/dev/null

call POST "/v1/milestones/$MILESTONE:fund" "$CLIENT" >/dev/null
until_value ".milestone | select(.state == \"MILESTONE_STATE_FUNDED\") | .state" "/v1/milestones/$MILESTONE" "$CLIENT" \
    "the escrow funding" >/dev/null
call POST "/v1/milestones/$MILESTONE:submit" "$FREELANCER" \
    '{"note": "Deployed to staging.", "links": ["https://staging.example.com"]}' >/dev/null
call POST "/v1/milestones/$MILESTONE:accept" "$CLIENT" >/dev/null
until_value ".milestone | select(.state == \"MILESTONE_STATE_PAID\") | .state" "/v1/milestones/$MILESTONE" "$CLIENT" \
    "the release to the freelancer" >/dev/null
PAID=$(until_value ".balances[] | select(.currency == \"EUR\") | .available.minor_units" /v1/wallet/balances \
    "$FREELANCER" "the freelancer's balance")
log "paid: the freelancer holds $PAID cents of $AMOUNT (the platform fee is the rest)"
echo "$MILESTONE"
