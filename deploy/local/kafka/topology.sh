# Who publishes and who consumes on the event bus: read by cluster.sh (topics, SCRAM users, ACLs).
# Every publisher owns the topic <service>.events.v1; a consumer reads the topics of the services it
# names, with consumer groups named after itself, and copies its dead letters to <topic>.dlq.
# shellcheck disable=SC2034
KAFKA_PUBLISHERS=(auth jobs contracts payments notifications disputes workroom clans)
KAFKA_CONSUMES=(
    "contracts:jobs payments disputes clans"
    "payments:contracts disputes"
    "notifications:contracts payments disputes auth workroom clans jobs"
    "disputes:contracts payments"
    "workroom:contracts clans"
    "clans:contracts payments jobs"
)
KAFKA_CONSUMERS=()
for _line in "${KAFKA_CONSUMES[@]}"; do KAFKA_CONSUMERS+=("${_line%%:*}"); done
unset _line
