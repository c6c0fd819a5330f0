#pragma once
// Kafka's admin API (topics, partition leaders, ACLs) for the local stack's scripts and the tests.
// The services themselves never create topics: a deployment creates them (deploy/local, compose, k8s).
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "marketplace/messaging/kafka_config.hpp"

namespace marketplace::messaging {

struct TopicSpec {
    std::string name;
    int partitions = 4;
    int replication = 3;
    /// Topic-level settings, e.g. {"min.insync.replicas", "2"}.
    std::map<std::string, std::string> configs;
};

/// One ALLOW rule. `operation` is Kafka's name (READ, WRITE, DESCRIBE, CREATE, ALL, ...),
/// `resource_type` TOPIC, GROUP or CLUSTER, `pattern` LITERAL or PREFIXED.
struct AclRule {
    std::string principal;  // "User:payments"
    std::string operation;
    std::string resource_type;
    std::string resource_name;
    std::string pattern = "LITERAL";
    std::string host = "*";
};

/// A connection to a cluster's admin API. Every call waits at most `timeout` and throws
/// std::runtime_error naming what failed; none of them changes what it does not name.
class KafkaAdmin final {
public:
    explicit KafkaAdmin(const KafkaConfig& config);
    ~KafkaAdmin();
    KafkaAdmin(const KafkaAdmin&) = delete;
    KafkaAdmin& operator=(const KafkaAdmin&) = delete;

    /// The ids of the brokers the cluster's metadata lists right now.
    std::vector<int> Brokers(std::chrono::milliseconds timeout);
    /// Creates the topics that do not exist yet (an existing topic is left as it is) and returns the
    /// names it created.
    std::vector<std::string> CreateTopics(const std::vector<TopicSpec>& topics, std::chrono::milliseconds timeout);
    /// The names of every topic the cluster's metadata lists, Kafka's internal ones ("__...") included.
    std::vector<std::string> Topics(std::chrono::milliseconds timeout);
    /// Deletes the named topics (one that does not exist is not an error) and returns the names it
    /// deleted.
    std::vector<std::string> DeleteTopics(const std::vector<std::string>& names, std::chrono::milliseconds timeout);
    /// The broker id leading `partition` of `topic`, or -1 while it has no leader.
    int Leader(const std::string& topic, int partition, std::chrono::milliseconds timeout);
    /// The number of in-sync replicas of every partition of `topic` (index = partition).
    std::vector<int> InSyncReplicas(const std::string& topic, std::chrono::milliseconds timeout);
    /// Adds ALLOW rules (adding an existing rule is not an error).
    void AllowAcls(const std::vector<AclRule>& rules, std::chrono::milliseconds timeout);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace marketplace::messaging
