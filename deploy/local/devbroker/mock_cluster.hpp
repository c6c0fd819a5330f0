// An RAII owner of librdkafka's mock cluster: the Kafka-protocol brokers of the DEVELOPMENT
// broker. Development tool only; production runs real Apache Kafka.
//
// Every method is safe to call from any thread. Methods that change the cluster throw
// std::runtime_error with a message fit for a control-protocol reply.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace marketplace::devbroker {

struct BrokerState final {
    int id = 0;
    bool up = true;
    int rtt_ms = 0;
};

struct ClusterStatus final {
    std::string bootstraps;
    std::vector<BrokerState> brokers;
    std::map<std::string, int> topics;  // name -> partition count
    bool topics_from_metadata = false;  // false: only the topics this process created
    std::string metadata_note;          // why metadata was not used, if it was not
};

class MockCluster final {
public:
    /// Starts `brokers` mock brokers on loopback (ids 1..brokers).
    explicit MockCluster(int brokers);
    ~MockCluster();
    MockCluster(const MockCluster&) = delete;
    MockCluster& operator=(const MockCluster&) = delete;

    const std::string& Bootstraps() const { return bootstraps_; }
    int BrokerCount() const { return broker_count_; }
    /// min(3, brokers), as for every topic created here.
    int ReplicationFactor() const;

    void CreateTopic(const std::string& name, int partitions);
    /// broker_id -1 means every broker.
    void SetBrokerUp(int broker_id, bool up);
    void SetRtt(int broker_id, int rtt_ms);
    void PushRequestErrors(std::int16_t api_key, rd_kafka_resp_err_t error, int count);
    void ClearRequestErrors(std::int16_t api_key);
    /// broker_id -1 makes the partition leaderless. The topic must exist.
    void SetLeader(const std::string& topic, int partition, int broker_id);

    /// Brokers as set through this object; topics from a Metadata request to the cluster when
    /// that cannot disturb anything (no injected Metadata/ApiVersions errors, some broker up).
    ClusterStatus Status();

private:
    void CheckBrokerId(int broker_id, bool allow_all) const;
    /// The partition count of `topic`, from what this process created or from the cluster's metadata.
    std::optional<int> PartitionCount(const std::string& topic);
    /// Why a Metadata request now could disturb a test or cannot work, or nullopt when it is fine.
    std::optional<std::string> MetadataBlockedLocked() const;
    std::optional<std::map<std::string, int>> QueryTopics(std::string& why) const;

    int broker_count_;
    rd_kafka_t* rk_ = nullptr;
    rd_kafka_mock_cluster_t* mcluster_ = nullptr;
    std::string bootstraps_;

    mutable std::mutex mutex_;
    std::vector<BrokerState> brokers_;
    std::map<std::string, int> known_topics_;  // created here or seen in metadata
    std::set<std::int16_t> injected_api_keys_;
};

}  // namespace marketplace::devbroker
