#include "kafka.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "marketplace/core/config.hpp"
#include "marketplace/core/log.hpp"

namespace marketplace::messaging {

std::string KafkaConfig::LocalBootstrap() {
    const char* state = std::getenv("MARKETPLACE_STATE_DIR");
    const std::string path = std::string(state != nullptr ? state : ".state") + "/kafka/bootstrap";
    std::ifstream in(path);
    std::string line;
    if (in) std::getline(in, line);
    return line;
}

KafkaConfig KafkaConfig::FromEnv(core::EnvReader& env) {
    KafkaConfig c;
    c.bootstrap = env.String("KAFKA_BOOTSTRAP", "");
    if (c.bootstrap.empty()) c.bootstrap = LocalBootstrap();
    if (c.bootstrap.empty()) c.bootstrap = env.RequiredString("KAFKA_BOOTSTRAP");
    c.linger_ms = static_cast<int>(env.Int("KAFKA_LINGER_MS", c.linger_ms, 0, 60000));
    c.fetch_wait_max_ms = static_cast<int>(env.Int("KAFKA_FETCH_WAIT_MAX_MS", c.fetch_wait_max_ms, 0, 60000));
    c.reconnect_backoff_max_ms =
        static_cast<int>(env.Int("KAFKA_RECONNECT_BACKOFF_MAX_MS", c.reconnect_backoff_max_ms, 10, 60000));
    c.session_timeout_ms = static_cast<int>(env.Int("KAFKA_SESSION_TIMEOUT_MS", c.session_timeout_ms, 1000, 600000));
    c.message_timeout_ms =
        static_cast<int>(env.Int("KAFKA_MESSAGE_TIMEOUT_MS", c.message_timeout_ms, 1000, 2147483647));
    c.security_protocol =
        env.OneOf("KAFKA_SECURITY_PROTOCOL", c.security_protocol, {"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"});
    c.sasl_mechanism = env.OneOf("KAFKA_SASL_MECHANISM", c.sasl_mechanism, {"SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"});
    c.sasl_username = env.String("KAFKA_SASL_USERNAME", "");
    c.sasl_password = env.Secret("KAFKA_SASL_PASSWORD", "");
    c.ssl_ca_location = env.String("KAFKA_SSL_CA_LOCATION", "");
    if (c.security_protocol.starts_with("sasl_")) {
        if (c.sasl_username.empty())
            env.Reject("KAFKA_SASL_USERNAME", "is required with KAFKA_SECURITY_PROTOCOL=" + c.security_protocol);
        if (c.sasl_password.empty())
            env.Reject("KAFKA_SASL_PASSWORD", "is required with KAFKA_SECURITY_PROTOCOL=" + c.security_protocol);
    }
    return c;
}

namespace impl {
namespace {

/// librdkafka's own log lines and errors, as JSON log lines instead of raw stderr.
class LogBridge final : public RdKafka::EventCb {
public:
    void event_cb(RdKafka::Event& event) override {
        switch (event.type()) {
            case RdKafka::Event::EVENT_LOG: {
                const int sev = event.severity();
                const auto level = sev <= RdKafka::Event::EVENT_SEVERITY_ERROR     ? core::log::Level::kError
                                   : sev <= RdKafka::Event::EVENT_SEVERITY_WARNING ? core::log::Level::kWarn
                                   : sev <= RdKafka::Event::EVENT_SEVERITY_INFO    ? core::log::Level::kInfo
                                                                                   : core::log::Level::kDebug;
                core::log::Write(level, "kafka: " + event.str(), {{"facility", event.fac()}});
                break;
            }
            case RdKafka::Event::EVENT_ERROR:
                // Transient transport errors (a broker going away) are retried by the client itself.
                core::log::Write(event.fatal() ? core::log::Level::kError : core::log::Level::kWarn,
                                 "kafka: " + RdKafka::err2str(event.err()) + ": " + event.str());
                break;
            default:
                break;
        }
    }
};

LogBridge g_log_bridge;

}  // namespace

void SetConf(RdKafka::Conf& conf, const std::string& key, const std::string& value) {
    std::string err;
    if (conf.set(key, value, err) != RdKafka::Conf::CONF_OK) {
        throw std::invalid_argument("kafka setting " + key + "=" + value + ": " + err);
    }
}

std::unique_ptr<RdKafka::Conf> BaseConf(const KafkaConfig& config, const std::string& client_id) {
    if (config.bootstrap.empty()) throw std::invalid_argument("KAFKA_BOOTSTRAP: is required but not set");
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    SetConf(*conf, "bootstrap.servers", config.bootstrap);
    SetConf(*conf, "client.id", client_id);
    SetConf(*conf, "reconnect.backoff.max.ms", std::to_string(config.reconnect_backoff_max_ms));
    SetConf(*conf, "reconnect.backoff.ms", "50");
    SetConf(*conf, "topic.metadata.refresh.interval.ms", "10000");
    SetConf(*conf, "log.connection.close", "false");
    SetConf(*conf, "security.protocol", config.security_protocol);
    if (config.security_protocol.starts_with("sasl_")) {
        SetConf(*conf, "sasl.mechanism", config.sasl_mechanism);
        SetConf(*conf, "sasl.username", config.sasl_username);
        SetConf(*conf, "sasl.password", config.sasl_password);
    }
    if (config.security_protocol.ends_with("ssl") && !config.ssl_ca_location.empty()) {
        SetConf(*conf, "ssl.ca.location", config.ssl_ca_location);
    }
    std::string err;
    if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&g_log_bridge), err) != RdKafka::Conf::CONF_OK) {
        throw std::runtime_error("kafka event callback: " + err);
    }
    return conf;
}

std::unique_ptr<RdKafka::Producer> MakeProducer(const KafkaConfig& config, const std::string& client_id,
                                                RdKafka::DeliveryReportCb* dr_cb) {
    auto conf = BaseConf(config, client_id);
    SetConf(*conf, "enable.idempotence", "true");
    SetConf(*conf, "acks", "all");
    SetConf(*conf, "max.in.flight.requests.per.connection", "5");
    SetConf(*conf, "linger.ms", std::to_string(config.linger_ms));
    SetConf(*conf, "message.timeout.ms", std::to_string(config.message_timeout_ms));
    SetConf(*conf, "partitioner", "murmur2_random");  // the same partition for a key as Java clients
    SetConf(*conf, "compression.type", "none");
    for (const auto& [k, v] : config.extra) SetConf(*conf, k, v);
    std::string err;
    if (dr_cb != nullptr && conf->set("dr_cb", dr_cb, err) != RdKafka::Conf::CONF_OK) {
        throw std::runtime_error("kafka producer: " + err);
    }
    std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
    if (!producer) throw std::runtime_error("kafka producer: " + err);
    return producer;
}

long long StableHash(const std::string& text) {
    unsigned long long h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return static_cast<long long>(h);
}

}  // namespace impl
}  // namespace marketplace::messaging
