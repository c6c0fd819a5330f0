#include "mock_cluster.hpp"

#include <syslog.h>

#include <algorithm>
#include <stdexcept>

#include "kafka_names.hpp"
#include "log.hpp"

namespace marketplace::devbroker {

namespace {
constexpr int kMetadataTimeoutMs = 2000;
constexpr int kMetadataMaxRttMs = 1000;
constexpr std::int16_t kApiKeyMetadata = 3;
constexpr std::int16_t kApiKeyApiVersions = 18;

// librdkafka's own warnings and errors (the mock brokers log through the owning handle).
void ForwardLog(const rd_kafka_t* /*rk*/, int level, const char* facility, const char* message) {
    if (level <= LOG_WARNING) {
        Log(std::string("rdkafka ") + facility + ": " + message);
    }
}

void DropLog(const rd_kafka_t* /*rk*/, int /*level*/, const char* /*facility*/, const char* /*message*/) {}

void SetConf(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
    char errstr[512];
    if (rd_kafka_conf_set(conf, name, value.c_str(), errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string("librdkafka config ") + name + ": " + errstr);
    }
}

void ThrowIfError(rd_kafka_resp_err_t err, const std::string& what) {
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw std::runtime_error(what + ": " + rd_kafka_err2str(err) + " (" + DescribeErrorCode(err) + ")");
    }
}
}  // namespace

MockCluster::MockCluster(int brokers) : broker_count_(brokers) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    SetConf(conf, "client.id", "devbroker");
    rd_kafka_conf_set_log_cb(conf, &ForwardLog);
    char errstr[512];
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk_ == nullptr) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string("cannot create the librdkafka handle: ") + errstr);
    }
    mcluster_ = rd_kafka_mock_cluster_new(rk_, brokers);
    if (mcluster_ == nullptr) {
        rd_kafka_destroy(rk_);
        throw std::runtime_error("cannot create the mock cluster (see the rdkafka lines above)");
    }
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(mcluster_);
    for (int id = 1; id <= brokers; ++id) {
        brokers_.push_back(BrokerState{.id = id, .up = true, .rtt_ms = 0});
    }
}

MockCluster::~MockCluster() {
    rd_kafka_mock_cluster_destroy(mcluster_);
    rd_kafka_destroy(rk_);
}

int MockCluster::ReplicationFactor() const { return std::min(3, broker_count_); }

void MockCluster::CheckBrokerId(int broker_id, bool allow_all) const {
    if (broker_id == -1 && allow_all) {
        return;
    }
    if (broker_id < 1 || broker_id > broker_count_) {
        throw std::runtime_error("broker_id: no broker " + std::to_string(broker_id) + " (brokers are 1.." +
                                 std::to_string(broker_count_) + (allow_all ? ", or -1 for all)" : ")"));
    }
}

void MockCluster::CreateTopic(const std::string& name, int partitions) {
    const std::lock_guard lock(mutex_);
    if (known_topics_.contains(name)) {
        throw std::runtime_error("topic '" + name + "' already exists");
    }
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(mcluster_, name.c_str(), partitions, ReplicationFactor());
    if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        throw std::runtime_error("topic '" + name + "' already exists");
    }
    ThrowIfError(err, "topic-create " + name);
    known_topics_[name] = partitions;
}

void MockCluster::SetBrokerUp(int broker_id, bool up) {
    CheckBrokerId(broker_id, true);
    const std::lock_guard lock(mutex_);
    const rd_kafka_resp_err_t err =
        up ? rd_kafka_mock_broker_set_up(mcluster_, broker_id) : rd_kafka_mock_broker_set_down(mcluster_, broker_id);
    ThrowIfError(err, std::string(up ? "broker-up " : "broker-down ") + std::to_string(broker_id));
    for (auto& broker : brokers_) {
        if (broker_id == -1 || broker.id == broker_id) {
            broker.up = up;
        }
    }
}

void MockCluster::SetRtt(int broker_id, int rtt_ms) {
    CheckBrokerId(broker_id, true);
    const std::lock_guard lock(mutex_);
    ThrowIfError(rd_kafka_mock_broker_set_rtt(mcluster_, broker_id, rtt_ms), "rtt " + std::to_string(broker_id));
    for (auto& broker : brokers_) {
        if (broker_id == -1 || broker.id == broker_id) {
            broker.rtt_ms = rtt_ms;
        }
    }
}

void MockCluster::PushRequestErrors(std::int16_t api_key, rd_kafka_resp_err_t error, int count) {
    const std::vector<rd_kafka_resp_err_t> errors(static_cast<std::size_t>(count), error);
    const std::lock_guard lock(mutex_);
    rd_kafka_mock_push_request_errors_array(mcluster_, api_key, errors.size(), errors.data());
    injected_api_keys_.insert(api_key);
}

void MockCluster::ClearRequestErrors(std::int16_t api_key) {
    const std::lock_guard lock(mutex_);
    rd_kafka_mock_clear_request_errors(mcluster_, api_key);
    injected_api_keys_.erase(api_key);
}

void MockCluster::SetLeader(const std::string& topic, int partition, int broker_id) {
    CheckBrokerId(broker_id, true);
    const std::optional<int> partitions = PartitionCount(topic);
    if (!partitions) {
        std::string message = "unknown topic '" + topic + "'";
        const std::lock_guard lock(mutex_);
        if (const auto blocked = MetadataBlockedLocked()) {
            message += " (auto-created topics cannot be looked up now: " + *blocked + ")";
        }
        throw std::runtime_error(message);
    }
    if (partition >= *partitions) {
        throw std::runtime_error("partition: topic '" + topic + "' has partitions 0.." +
                                 std::to_string(*partitions - 1));
    }
    const std::lock_guard lock(mutex_);
    ThrowIfError(rd_kafka_mock_partition_set_leader(mcluster_, topic.c_str(), partition, broker_id),
                 "leader " + topic + " " + std::to_string(partition));
}

std::optional<std::string> MockCluster::MetadataBlockedLocked() const {
    if (injected_api_keys_.contains(kApiKeyMetadata) || injected_api_keys_.contains(kApiKeyApiVersions)) {
        return "request errors are injected for Metadata or ApiVersions; clear-request-errors 3 and 18 to lift";
    }
    const bool any_up = std::any_of(brokers_.begin(), brokers_.end(), [](const BrokerState& b) { return b.up; });
    if (!any_up) {
        return "every broker is down";
    }
    const bool slow = std::any_of(brokers_.begin(), brokers_.end(),
                                  [](const BrokerState& b) { return b.rtt_ms >= kMetadataMaxRttMs; });
    if (slow) {
        return "a broker has rtt >= " + std::to_string(kMetadataMaxRttMs) + " ms";
    }
    return std::nullopt;
}

std::optional<int> MockCluster::PartitionCount(const std::string& topic) {
    {
        const std::lock_guard lock(mutex_);
        if (const auto it = known_topics_.find(topic); it != known_topics_.end()) {
            return it->second;
        }
        if (MetadataBlockedLocked()) {
            return std::nullopt;
        }
    }
    std::string why;
    const auto topics = QueryTopics(why);
    if (!topics) {
        return std::nullopt;
    }
    const std::lock_guard lock(mutex_);
    for (const auto& [name, count] : *topics) {
        known_topics_.emplace(name, count);
    }
    if (const auto it = topics->find(topic); it != topics->end()) {
        return it->second;
    }
    return std::nullopt;
}

ClusterStatus MockCluster::Status() {
    ClusterStatus status;
    status.bootstraps = bootstraps_;
    std::optional<std::string> blocked;
    {
        const std::lock_guard lock(mutex_);
        status.brokers = brokers_;
        status.topics = known_topics_;
        blocked = MetadataBlockedLocked();
    }
    if (blocked) {
        status.metadata_note = *blocked;
        return status;
    }
    std::string why;
    if (auto topics = QueryTopics(why)) {
        status.topics = std::move(*topics);
        status.topics_from_metadata = true;
        const std::lock_guard lock(mutex_);
        for (const auto& [name, count] : status.topics) {
            known_topics_.emplace(name, count);
        }
    } else {
        status.metadata_note = "metadata request failed: " + why;
    }
    return status;
}

std::optional<std::map<std::string, int>> MockCluster::QueryTopics(std::string& why) const {
    // A short-lived client of our own cluster: nothing lingers to send requests later.
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    SetConf(conf, "bootstrap.servers", bootstraps_);
    SetConf(conf, "client.id", "devbroker-status");
    SetConf(conf, "allow.auto.create.topics", "false");
    SetConf(conf, "topic.metadata.refresh.interval.ms", "-1");
    SetConf(conf, "socket.connection.setup.timeout.ms", std::to_string(kMetadataTimeoutMs));
    rd_kafka_conf_set_log_cb(conf, &DropLog);
    char errstr[512];
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == nullptr) {
        rd_kafka_conf_destroy(conf);
        why = errstr;
        return std::nullopt;
    }
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &metadata, kMetadataTimeoutMs);
    std::optional<std::map<std::string, int>> topics;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        topics.emplace();
        for (int i = 0; i < metadata->topic_cnt; ++i) {
            const rd_kafka_metadata_topic_t& topic = metadata->topics[i];
            if (topic.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                (*topics)[topic.topic] = topic.partition_cnt;
            }
        }
        rd_kafka_metadata_destroy(metadata);
    } else {
        why = rd_kafka_err2str(err);
    }
    rd_kafka_destroy(rk);
    return topics;
}

}  // namespace marketplace::devbroker
