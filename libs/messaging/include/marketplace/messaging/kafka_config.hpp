#pragma once
// Kafka client settings shared by the relay, the consumers and the admin client. Each value, its local
// default and its production value are explained in docs/KAFKA.md.
#include <map>
#include <string>

namespace marketplace::core {
class EnvReader;
}

namespace marketplace::messaging {

struct KafkaConfig {
    std::string bootstrap;
    int linger_ms = 1;
    int fetch_wait_max_ms = 100;
    int reconnect_backoff_max_ms = 1000;
    int session_timeout_ms = 6000;
    int message_timeout_ms = 300000;
    /// plaintext, ssl, sasl_plaintext or sasl_ssl (librdkafka's security.protocol).
    std::string security_protocol = "plaintext";
    /// SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN; used with the sasl_* protocols.
    std::string sasl_mechanism = "SCRAM-SHA-512";
    std::string sasl_username;
    std::string sasl_password;
    /// PEM file of the CA that signed the brokers' certificates (ssl and sasl_ssl); "" = the system's.
    std::string ssl_ca_location;
    /// Any other librdkafka property, applied last.
    std::map<std::string, std::string> extra;

    /// Reads KAFKA_BOOTSTRAP (else the local stack's bootstrap file), KAFKA_LINGER_MS, KAFKA_FETCH_WAIT_MAX_MS,
    /// KAFKA_RECONNECT_BACKOFF_MAX_MS, KAFKA_SESSION_TIMEOUT_MS, KAFKA_MESSAGE_TIMEOUT_MS, and the bus's
    /// security: KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME,
    /// KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE), KAFKA_SSL_CA_LOCATION.
    static KafkaConfig FromEnv(core::EnvReader& env);
    /// The local stack's bootstrap address from $MARKETPLACE_STATE_DIR/kafka/bootstrap ("" when absent).
    static std::string LocalBootstrap();
};

}  // namespace marketplace::messaging
