// Access from tests to the local stack's Kafka: the real Apache Kafka cluster (deploy/local/kafka/cluster.sh),
// which every test uses by default, or the mock broker (deploy/local/devbroker, librdkafka's mock cluster),
// which stays for the faults only it injects deterministically (a given error code on a given request).
#pragma once

#include <string>

namespace marketplace::testing {

enum class BrokerKind {
    kKafka,      ///< real Apache Kafka (KRaft): <state>/kafka/
    kDevBroker,  ///< the mock broker: <state>/devbroker/
};

/// Reads the stack's state folder, creates topics, and injects broker faults.
///
///   auto brokers = BrokerControl::Bootstrap();          // "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094"
///   BrokerControl kafka;                                // the real cluster
///   kafka.CreateTopic("e2e-1a2b.payments.events.v1", 4);
///   kafka.BrokerDown(2);                                // SIGKILL node 2 (a crash)
///   kafka.BrokerUp(2);                                  // start it again, wait until it listens
///   BrokerControl mock(BrokerKind::kDevBroker);
///   mock.RequestErrors(0 /*Produce*/, 6 /*NOT_LEADER_FOR_PARTITION*/, 3);
///
/// Every call throws std::runtime_error naming what failed (and how to start the stack when it is down).
/// The object holds no connection, so it may be shared between threads and survives broker restarts.
class BrokerControl final {
public:
    /// The real cluster in StateDir().
    BrokerControl();
    explicit BrokerControl(std::string state_dir);
    explicit BrokerControl(BrokerKind kind);
    BrokerControl(BrokerKind kind, std::string state_dir);

    /// $MARKETPLACE_STATE_DIR if set and non-empty, else ".state".
    static std::string StateDir();

    /// The real cluster's bootstrap servers from <StateDir()>/kafka/bootstrap; throws std::runtime_error
    /// saying how to start the stack when the file is missing or empty.
    static std::string Bootstrap();

    /// This broker's bootstrap servers.
    std::string bootstrap() const;
    BrokerKind kind() const { return kind_; }

    /// Creates `topic` if it does not exist: on the real cluster through the admin API, with the cluster's
    /// replication (3, or 1 on a single node) and min.insync.replicas (2, or 1).
    void CreateTopic(const std::string& topic, int partitions) const;

    /// The broker ids (real cluster: its nodes 1..N).
    int BrokerCount() const;
    /// The broker leading `partition` of `topic` (-1 while none does).
    int Leader(const std::string& topic, int partition) const;

    /// Real cluster: SIGKILL node `id` (a crash: no controlled shutdown). Mock: the broker stops answering.
    void BrokerDown(int id) const;
    /// Real cluster: start node `id` again and wait until it listens. Mock: the broker answers again.
    void BrokerUp(int id) const;

    /// Mock broker only: sends one control command line (e.g. "broker-down 1") and returns the reply line
    /// ("ok ..."). Throws std::runtime_error on an "error ..." reply and when the broker cannot be reached;
    /// std::invalid_argument if `line` holds a line break; std::logic_error on the real cluster.
    std::string Command(const std::string& line) const;
    /// Mock broker only: the next `count` requests with this Kafka api key fail with `error_code`.
    void RequestErrors(int api_key, int error_code, int count) const;
    void ClearRequestErrors(int api_key) const;

    const std::string& state_dir() const { return state_dir_; }

private:
    /// Runs deploy/local/kafka/cluster.sh with these arguments against this state folder.
    std::string Cluster(const std::string& command, const std::string& argument) const;

    BrokerKind kind_;
    std::string state_dir_;
};

}  // namespace marketplace::testing
