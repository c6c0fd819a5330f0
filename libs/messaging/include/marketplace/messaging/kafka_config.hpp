#pragma once
// Kafka client settings shared by the relay and the consumers. Defaults suit the local dev broker;
// production against real Kafka usually wants a larger linger and fetch wait (see docs).
#include <map>
#include <string>

namespace marketplace::core {
class EnvReader;
}

namespace marketplace::messaging {

struct KafkaConfig {
    std::string bootstrap;
    int linger_ms = 1;
    int fetch_wait_max_ms = 10;
    int reconnect_backoff_max_ms = 1000;
    int session_timeout_ms = 6000;
    int message_timeout_ms = 300000;
    /// Any other librdkafka property, applied last.
    std::map<std::string, std::string> extra;

    /// Reads KAFKA_BOOTSTRAP (else the local stack's bootstrap file), KAFKA_LINGER_MS, KAFKA_FETCH_WAIT_MAX_MS,
    /// KAFKA_RECONNECT_BACKOFF_MAX_MS, KAFKA_SESSION_TIMEOUT_MS, KAFKA_MESSAGE_TIMEOUT_MS.
    static KafkaConfig FromEnv(core::EnvReader& env);
    /// The local stack's bootstrap address from $MARKETPLACE_STATE_DIR/kafka/bootstrap ("" when absent).
    static std::string LocalBootstrap();
};

}  // namespace marketplace::messaging
