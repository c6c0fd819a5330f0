#!/usr/bin/env bash
# Real Apache Kafka (KRaft) on loopback for the local stack: N nodes (3 by default, or 1), each a combined
# controller and broker with a small heap, its data and log under the state folder. deploy/local/stack.sh
# runs it as the 'kafka' component; it can also be used alone.
#
# usage: deploy/local/kafka/cluster.sh up|down|status|check|reset
#        deploy/local/kafka/cluster.sh node-kill N | node-stop N | node-start N | create-topics TOPIC... | clean-topics
#   up          format the nodes (first time), start them, wait until every broker is listed, create the
#               topics through the admin API (and the SCRAM users and ACLs in secure mode); idempotent
#   down        stop every node (SIGTERM, then SIGKILL after 20 s), by recorded pid only
#   status      one line per node
#   check       exit 0 if every node runs
#   reset       down, then delete the cluster's data
#   node-kill   SIGKILL one node (a crash); node-stop stops it cleanly; node-start starts it again
#   create-topics TOPIC...  creates these topics (if missing) with the cluster's partitions and replication
#   clean-topics  deletes every topic that is not the stack's own (those tests and benchmarks created); 'up'
#               does it by itself when it starts the whole cluster. Run it only while no test uses them.
#
# Environment:
#   MARKETPLACE_STATE_DIR        state folder (default <repo>/.state): kafka/node-N/, logs/kafka-N.log
#   MARKETPLACE_BIN_DIR          build folder holding deploy/local/marketplace-kafka-admin (default <repo>/build)
#   MARKETPLACE_KAFKA_NODES      1 or 3 (default 3); with 1, topics have one replica
#   MARKETPLACE_KAFKA_PORT       first client port (default 19092): node N listens on PORT+N-1, its controller
#                                on PORT+10+N-1 and, in secure mode, its inter-broker listener on PORT+20+N-1
#   MARKETPLACE_KAFKA_PARTITIONS partitions of each service topic (default 4)
#   MARKETPLACE_KAFKA_HEAP       each node's Java heap (default 320m)
#   MARKETPLACE_KAFKA_SECURE     1: clients must use SASL (SCRAM-SHA-512) over TLS and each service's
#                                principal may write only its own topic (ACLs); see docs/KAFKA.md
#   MARKETPLACE_KAFKA_TOPICS     extra topics to create, comma-separated
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HERE/../../.." && pwd)
STATE=$(realpath -m -- "${MARKETPLACE_STATE_DIR:-$REPO_ROOT/.state}")
BIN_DIR=$(realpath -m -- "${MARKETPLACE_BIN_DIR:-$REPO_ROOT/build}")
KAFKA_DIR=$STATE/kafka
# A cluster keeps the shape it was made with: later commands read it from kafka/settings unless the
# environment says otherwise (and 'up' refuses a different shape on existing data).
if [ -s "$KAFKA_DIR/settings" ]; then
    # shellcheck source=/dev/null
    source "$KAFKA_DIR/settings"
fi
NODES=${MARKETPLACE_KAFKA_NODES:-${SAVED_NODES:-3}}
BASE_PORT=${MARKETPLACE_KAFKA_PORT:-${SAVED_PORT:-19092}}
PARTITIONS=${MARKETPLACE_KAFKA_PARTITIONS:-${SAVED_PARTITIONS:-4}}
HEAP=${MARKETPLACE_KAFKA_HEAP:-${SAVED_HEAP:-320m}}
SECURE=${MARKETPLACE_KAFKA_SECURE:-${SAVED_SECURE:-0}}
LOG_DIR=$STATE/logs
ADMIN_BIN=$BIN_DIR/deploy/local/marketplace-kafka-admin
# The services that publish (each owns <service>.events.v1) and what each one consumes.
# shellcheck source=deploy/local/kafka/topology.sh
source "$HERE/topology.sh"

say() { echo "kafka: $*"; }
die() {
    echo "kafka: error: $*" >&2
    exit 1
}

[[ $NODES == 1 || $NODES == 3 ]] || die "MARKETPLACE_KAFKA_NODES must be 1 or 3, got '$NODES'"
[[ $BASE_PORT =~ ^[0-9]+$ ]] && ((BASE_PORT >= 1024 && BASE_PORT + 30 <= 65535)) ||
    die "MARKETPLACE_KAFKA_PORT must be a port number within 1024..65505, got '$BASE_PORT'"
[[ $PARTITIONS =~ ^[0-9]+$ ]] && ((PARTITIONS >= 1 && PARTITIONS <= 100)) ||
    die "MARKETPLACE_KAFKA_PARTITIONS must be within 1..100, got '$PARTITIONS'"
[[ $HEAP =~ ^[0-9]+[mMgG]$ ]] || die "MARKETPLACE_KAFKA_HEAP must look like 320m or 1g, got '$HEAP'"
[[ $SECURE == 0 || $SECURE == 1 ]] || die "MARKETPLACE_KAFKA_SECURE must be 0 or 1, got '$SECURE'"

client_port() { echo $((BASE_PORT + $1 - 1)); }
controller_port() { echo $((BASE_PORT + 10 + $1 - 1)); }
internal_port() { echo $((BASE_PORT + 20 + $1 - 1)); }
node_dir() { echo "$KAFKA_DIR/node-$1"; }
node_pid_file() { echo "$(node_dir "$1")/kafka.pid"; }
replication() { if ((NODES >= 3)); then echo 3; else echo 1; fi; }
min_isr() { if ((NODES >= 3)); then echo 2; else echo 1; fi; }

pid_alive() {
    [[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
    local state
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

# The pid of node N if it runs (a java process whose command line names its properties file).
node_pid() {
    local pid
    pid=$(cat "$(node_pid_file "$1")" 2>/dev/null || true)
    pid_alive "$pid" || return 1
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$(node_dir "$1")/server.properties" || return 1
    echo "$pid"
}

java_libs() {
    local dir
    dir=$("$REPO_ROOT/deploy/local/kafka/fetch.sh" --print-dir)
    [ -d "$dir/libs" ] && [ -f "$dir/.verified" ] ||
        die "Apache Kafka is not fetched ($dir); run deploy/local/deps.sh (make deps)"
    echo "$dir/libs"
}

bootstrap() {
    local n list=
    for ((n = 1; n <= NODES; n++)); do list+="${list:+,}127.0.0.1:$(client_port "$n")"; done
    echo "$list"
}

voters() {
    local n list=
    for ((n = 1; n <= NODES; n++)); do list+="${list:+,}$n@127.0.0.1:$(controller_port "$n")"; done
    echo "$list"
}

secret() { # a generated password, kept in the state folder (dev only)
    local file=$KAFKA_DIR/secrets/$1.password
    if [ ! -s "$file" ]; then
        mkdir -p "$KAFKA_DIR/secrets"
        chmod 0700 "$KAFKA_DIR/secrets"
        head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$file"
        chmod 0600 "$file"
    fi
    cat "$file"
}

principals() { printf '%s\n' admin "${KAFKA_PUBLISHERS[@]}" "${KAFKA_CONSUMERS[@]}" | sort -u; }

plain_users() { # the PLAIN login module's user list: user_<name>="<password>" for every principal
    local u
    for u in $(principals); do printf ' user_%s="%s"' "$u" "$(secret "$u")"; done
}

make_tls() { # a dev CA and one loopback server certificate, PEM
    local tls=$KAFKA_DIR/tls
    [ -s "$tls/server.pem" ] && [ -s "$tls/ca.pem" ] && return 0
    mkdir -p "$tls"
    chmod 0700 "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=marketplace local kafka CA" \
        -keyout "$tls/ca.key" -out "$tls/ca.pem" >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$tls/server.key.rsa" \
        -out "$tls/server.csr" >/dev/null 2>&1
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls/san.ext"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 3650 \
        -extfile "$tls/san.ext" -out "$tls/server.crt" >/dev/null 2>&1
    openssl pkcs8 -topk8 -nocrypt -in "$tls/server.key.rsa" -out "$tls/server.key" >/dev/null 2>&1
    cat "$tls/server.key" "$tls/server.crt" >"$tls/server.pem"
    chmod 0600 "$tls"/*.key* "$tls/server.pem"
}

write_node_config() {
    local n=$1 dir
    dir=$(node_dir "$n")
    mkdir -p "$dir/data"
    {
        cat <<PROPS
# Written by deploy/local/kafka/cluster.sh on every start; edits here are overwritten.
# Development settings for the local stack only (docs/KAFKA.md explains each).
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$(voters)
controller.listener.names=CONTROLLER
log.dirs=$dir/data
num.partitions=$PARTITIONS
default.replication.factor=$(replication)
min.insync.replicas=$(min_isr)
offsets.topic.replication.factor=$(replication)
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=$(replication)
transaction.state.log.min.isr=$(min_isr)
share.coordinator.state.topic.replication.factor=$(replication)
share.coordinator.state.topic.min.isr=$(min_isr)
unclean.leader.election.enable=false
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.replica.fetchers=1
background.threads=2
log.segment.bytes=67108864
log.retention.hours=24
log.cleaner.dedupe.buffer.size=8388608
PROPS
        if [ "$SECURE" = 1 ]; then
            cat <<PROPS
# Secure mode: clients on SASL_SSL (TLS) with SCRAM-SHA-512 or PLAIN, one principal per service;
# brokers and controllers talk SASL PLAIN as the super user 'admin'; an authorizer enforces the ACLs.
# PLAIN is offered to clients because librdkafka before 2.6.1 (Debian 12 ships 2.0.2) fails SCRAM
# against Kafka 4 brokers (docs/KAFKA.md).
listeners=CLIENT://127.0.0.1:$(client_port "$n"),INTERNAL://127.0.0.1:$(internal_port "$n"),CONTROLLER://127.0.0.1:$(controller_port "$n")
advertised.listeners=CLIENT://127.0.0.1:$(client_port "$n"),INTERNAL://127.0.0.1:$(internal_port "$n")
listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
inter.broker.listener.name=INTERNAL
sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
sasl.mechanism.inter.broker.protocol=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.client.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required$(plain_users);
listener.name.internal.sasl.enabled.mechanisms=PLAIN
listener.name.internal.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$(secret admin)" user_admin="$(secret admin)";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$(secret admin)" user_admin="$(secret admin)";
ssl.keystore.type=PEM
ssl.keystore.location=$KAFKA_DIR/tls/server.pem
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin
allow.everyone.if.no.acl.found=false
auto.create.topics.enable=false
PROPS
        else
            cat <<PROPS
listeners=PLAINTEXT://127.0.0.1:$(client_port "$n"),CONTROLLER://127.0.0.1:$(controller_port "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(client_port "$n")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
# Tests create their own prefixed topics through the admin API; dead-letter topics are created on first use.
auto.create.topics.enable=true
PROPS
        fi
    } >"$dir/server.properties.tmp"
    mv -f "$dir/server.properties.tmp" "$dir/server.properties"
    cat >"$dir/log4j2.properties" <<PROPS
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $LOG_DIR/kafka-$n.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
PROPS
}

java_opts() { # $1: the node, whose GC pauses go to logs/kafka-N-gc.log (to line up latency tails with them)
    local gc=""
    [ -n "${1:-}" ] && gc=" -Xlog:gc:file=$LOG_DIR/kafka-$1-gc.log:time,uptime:filecount=2,filesize=10m"
    echo "-Xms$HEAP -Xmx$HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true$gc"
}

format_nodes() {
    local libs=$1 cluster_id n pids=() failed=0
    cluster_id=$(cat "$KAFKA_DIR/cluster.id" 2>/dev/null || true)
    if [ -z "$cluster_id" ]; then
        # A Kafka cluster id: 16 random bytes, URL-safe base64 without padding.
        cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
        echo "$cluster_id" >"$KAFKA_DIR/cluster.id"
    fi
    for ((n = 1; n <= NODES; n++)); do
        [ -f "$(node_dir "$n")/data/meta.properties" ] && continue
        local scram=()
        if [ "$SECURE" = 1 ]; then
            local svc
            for svc in $(principals); do
                scram+=(--add-scram "SCRAM-SHA-512=[name=$svc,password=$(secret "$svc")]")
            done
        fi
        # shellcheck disable=SC2046
        java $(java_opts | sed "s/-Xms$HEAP -Xmx$HEAP/-Xmx128m/") -Dlog4j2.configurationFile="$(node_dir "$n")/log4j2.properties" \
            -cp "$libs/*" kafka.tools.StorageTool format --cluster-id="$cluster_id" -c "$(node_dir "$n")/server.properties" \
            "${scram[@]}" >>"$LOG_DIR/kafka-$n.log" 2>&1 &
        pids+=($!)
    done
    for n in "${pids[@]}"; do wait "$n" || failed=1; done
    ((failed == 0)) || die "formatting the Kafka storage failed; see $LOG_DIR/kafka-*.log"
}

start_node() {
    local n=$1 libs=$2 dir pid
    dir=$(node_dir "$n")
    if pid=$(node_pid "$n"); then
        return 0
    fi
    write_node_config "$n"
    # shellcheck disable=SC2046
    setsid nohup java $(java_opts "$n") -Dlog4j2.configurationFile="$dir/log4j2.properties" \
        -Dkafka.logs.dir="$LOG_DIR" -cp "$libs/*" kafka.Kafka "$dir/server.properties" \
        >>"$LOG_DIR/kafka-$n.out" 2>&1 </dev/null 9>&- &
    local launched=$! i p
    echo "$launched" >"$(node_pid_file "$n")"
    # setsid forks when its caller leads a process group, and then $! is a parent that exits at once:
    # record the java process itself, the one whose command line names this node's properties file.
    for ((i = 0; i < 100; i++)); do
        for p in /proc/[0-9]*; do
            if tr '\0' '\n' 2>/dev/null <"$p/cmdline" | grep -qxF -- "$dir/server.properties"; then
                echo "${p#/proc/}" >"$(node_pid_file "$n")"
                return 0
            fi
        done
        sleep 0.05
    done
}

wait_port() { # until 127.0.0.1:$1 accepts, or node $2 exits
    local port=$1 n=$2 i launched
    # The launched process itself: until it has exec'd java its command line does not name the node's
    # properties yet, so node_pid would call a node that is still starting gone.
    launched=$(cat "$(node_pid_file "$n")" 2>/dev/null || true)
    # Up to 300 s: a node restarted with its peers waits for a quorum of controllers, which takes
    # longer than a lone start on a loaded machine (measured: about 110 s for the last of three nodes
    # restarted together while sanitizer-built services and a compiler shared two cores).
    for ((i = 0; i < 3000; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        pid_alive "$launched" || {
            tail -n 20 "$LOG_DIR/kafka-$n.log" "$LOG_DIR/kafka-$n.out" >&2 2>/dev/null
            die "node $n exited during start-up; see $LOG_DIR/kafka-$n.log"
        }
        sleep 0.1
    done
    die "node $n does not listen on 127.0.0.1:$port after 300 s; see $LOG_DIR/kafka-$n.log"
}

admin() {
    [ -x "$ADMIN_BIN" ] || die "$ADMIN_BIN is missing (run 'make build', or set MARKETPLACE_BIN_DIR)"
    if [ "$SECURE" = 1 ]; then
        KAFKA_BOOTSTRAP=$(bootstrap) KAFKA_SECURITY_PROTOCOL=sasl_ssl KAFKA_SASL_MECHANISM=PLAIN KAFKA_SASL_USERNAME=admin \
            KAFKA_SASL_PASSWORD=$(secret admin) KAFKA_SSL_CA_LOCATION=$KAFKA_DIR/tls/ca.pem "$ADMIN_BIN" "$@"
    else
        KAFKA_BOOTSTRAP=$(bootstrap) KAFKA_SECURITY_PROTOCOL=plaintext "$ADMIN_BIN" "$@"
    fi
}

all_topics() {
    local svc t
    for svc in "${KAFKA_PUBLISHERS[@]}"; do echo "$svc.events.v1"; done
    for svc in "${KAFKA_PUBLISHERS[@]}"; do echo "$svc.events.v1.dlq"; done
    if [ -n "${MARKETPLACE_KAFKA_TOPICS:-}" ]; then
        tr ',' '\n' <<<"$MARKETPLACE_KAFKA_TOPICS" | sed '/^$/d'
    fi
}

clean_topics() { # every topic that is not the stack's own: what tests and benchmarks created (prefixed)
    local keep=() names=() name
    mapfile -t keep < <(all_topics)
    while IFS= read -r name; do
        [[ -z $name || $name == __* ]] && continue
        printf '%s\n' "${keep[@]}" | grep -qxF -- "$name" && continue
        names+=("$name")
    done < <(admin list-topics)
    ((${#names[@]} > 0)) || return 0
    admin delete-topics "${names[@]}" >/dev/null
    say "deleted ${#names[@]} topics that earlier tests and benchmarks left (the stack's own are kept)"
}

write_acls() { # each service: write its own topic; read what it consumes; its own group; its dead letters
    local file=$KAFKA_DIR/acls.txt svc line
    {
        echo "# ALLOW rules (principal operation type name pattern), applied by cluster.sh up in secure mode."
        for line in "${KAFKA_CONSUMES[@]}"; do
            svc=${line%%:*}
            local topic
            for topic in ${line#*:}; do
                echo "User:$svc READ TOPIC $topic.events.v1 LITERAL"
                echo "User:$svc DESCRIBE TOPIC $topic.events.v1 LITERAL"
                echo "User:$svc WRITE TOPIC $topic.events.v1.dlq LITERAL"
            done
            echo "User:$svc READ GROUP $svc PREFIXED"
        done
        for svc in "${KAFKA_PUBLISHERS[@]}"; do
            echo "User:$svc WRITE TOPIC $svc.events.v1 LITERAL"
            echo "User:$svc DESCRIBE TOPIC $svc.events.v1 LITERAL"
        done
    } >"$file"
    echo "$file"
}

cluster_up() {
    local libs n started=0 t0
    t0=$(date +%s%N)
    command -v java >/dev/null || die "java is missing; run deploy/local/deps.sh (make deps)"
    libs=$(java_libs)
    mkdir -p "$KAFKA_DIR" "$LOG_DIR"
    if [ -n "${SAVED_NODES:-}" ] && [ "$SAVED_NODES $SAVED_SECURE" != "$NODES $SECURE" ]; then
        die "this state folder holds a cluster of $SAVED_NODES nodes (secure=$SAVED_SECURE), not $NODES (secure=$SECURE); run 'deploy/local/stack.sh reset kafka' first"
    fi
    printf 'SAVED_NODES=%s\nSAVED_PORT=%s\nSAVED_PARTITIONS=%s\nSAVED_HEAP=%s\nSAVED_SECURE=%s\n' \
        "$NODES" "$BASE_PORT" "$PARTITIONS" "$HEAP" "$SECURE" >"$KAFKA_DIR/settings"
    [ "$SECURE" = 1 ] && make_tls
    for ((n = 1; n <= NODES; n++)); do write_node_config "$n"; done
    format_nodes "$libs"
    for ((n = 1; n <= NODES; n++)); do
        node_pid "$n" >/dev/null && continue
        start_node "$n" "$libs"
        started=$((started + 1))
    done
    for ((n = 1; n <= NODES; n++)); do wait_port "$(client_port "$n")" "$n"; done
    admin wait-brokers "$NODES" 90 >/dev/null || die "the brokers did not all register; see $LOG_DIR/kafka-*.log"
    local topics
    mapfile -t topics < <(all_topics)
    admin create-topics --partitions "$PARTITIONS" --replication "$(replication)" \
        --config "min.insync.replicas=$(min_isr)" "${topics[@]}" >/dev/null ||
        die "creating the topics failed"
    # A cluster started whole has no client yet: the topics earlier tests and benchmarks created (each
    # run makes its own, prefixed) are deleted, so they do not pile up over a long-lived state folder.
    if ((started == NODES)); then
        clean_topics || say "warning: deleting the topics earlier runs left failed; they stay"
    fi
    if [ "$SECURE" = 1 ]; then
        admin acls "$(write_acls)" >/dev/null || die "applying the ACLs failed"
        cp "$KAFKA_DIR/tls/ca.pem" "$KAFKA_DIR/ca.pem"
    fi
    printf '%s\n' "$(bootstrap)" >"$KAFKA_DIR/bootstrap.tmp"
    mv -f "$KAFKA_DIR/bootstrap.tmp" "$KAFKA_DIR/bootstrap"
    local ms=$((($(date +%s%N) - t0) / 1000000)) rss=0 pid
    for ((n = 1; n <= NODES; n++)); do
        pid=$(node_pid "$n") && rss=$((rss + $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")))
    done
    if ((started > 0)); then
        say "started $started of $NODES nodes in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s (bootstrap $(bootstrap), ${#topics[@]} topics, RF $(replication), min.insync.replicas $(min_isr)$([ "$SECURE" = 1 ] && echo ", SASL_SSL + ACLs"), memory $((rss / 1024)) MiB RSS)"
    else
        say "already running (bootstrap $(bootstrap), memory $((rss / 1024)) MiB RSS)"
    fi
}

stop_node() { # $1 node, $2 TERM|KILL
    local n=$1 sig=$2 pid i
    pid=$(node_pid "$n") || return 0
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        pid_alive "$pid" || break
        sleep 0.1
    done
    if pid_alive "$pid"; then
        say "node $n (pid $pid) ignored SIGTERM for 20 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            pid_alive "$pid" || break
            sleep 0.1
        done
    fi
    if pid_alive "$pid"; then die "node $n (pid $pid) survived SIGKILL"; fi
    rm -f "$(node_pid_file "$n")"
}

cluster_down() {
    local n stopped=0 pids=()
    # All nodes at once: a controller quorum that loses its members one by one makes the last wait.
    for ((n = 1; n <= NODES; n++)); do
        if node_pid "$n" >/dev/null; then
            stop_node "$n" TERM &
            pids+=($!)
            stopped=$((stopped + 1))
        fi
    done
    for n in "${pids[@]}"; do wait "$n"; done
    rm -f "$KAFKA_DIR/bootstrap"
    if ((stopped > 0)); then say "stopped $stopped nodes"; else say "not running"; fi
}

cluster_status() {
    local n pid
    for ((n = 1; n <= NODES; n++)); do
        if pid=$(node_pid "$n"); then
            echo "kafka-$n:  running  pid $pid  127.0.0.1:$(client_port "$n")  RSS $(($(awk '/^VmRSS/ {print $2}' "/proc/$pid/status") / 1024)) MiB  log $LOG_DIR/kafka-$n.log"
        else
            echo "kafka-$n:  stopped"
        fi
    done
}

node_arg() {
    [[ ${1:-} =~ ^[0-9]+$ ]] && (($1 >= 1 && $1 <= NODES)) || die "node must be within 1..$NODES, got '${1:-}'"
}

main() {
    [ $# -ge 1 ] || { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
    case "$1" in
    up) cluster_up ;;
    down) cluster_down ;;
    status) cluster_status ;;
    check)
        local n
        for ((n = 1; n <= NODES; n++)); do node_pid "$n" >/dev/null || return 1; done
        ;;
    reset)
        cluster_down
        rm -rf "$KAFKA_DIR"
        say "reset: the cluster's data deleted (logs kept in $LOG_DIR)"
        ;;
    node-kill) node_arg "${2:-}"; stop_node "$2" KILL; say "node $2 killed" ;;
    node-stop) node_arg "${2:-}"; stop_node "$2" TERM; say "node $2 stopped" ;;
    node-start)
        node_arg "${2:-}"
        start_node "$2" "$(java_libs)"
        wait_port "$(client_port "$2")" "$2"
        say "node $2 started"
        ;;
    create-topics)
        shift
        [ $# -gt 0 ] || die "create-topics: name at least one topic"
        admin create-topics --partitions "$PARTITIONS" --replication "$(replication)" \
            --config "min.insync.replicas=$(min_isr)" "$@"
        ;;
    clean-topics) clean_topics ;;
    *) die "unknown command '$1' (up, down, status, check, reset, node-kill, node-stop, node-start, create-topics, clean-topics)" ;;
    esac
}

main "$@"
