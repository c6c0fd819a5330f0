#pragma once
// Shared pieces of the messaging tests: a database with the messaging schema and an effects table,
// Kafka settings for the local cluster, a recording handler, and a child-process runner.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/db/pool.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "marketplace/messaging/kafka_config.hpp"
#include "marketplace/messaging/outbox.hpp"
#include "marketplace/testing/database.hpp"

namespace marketplace::messaging::test {

/// A fresh database with the messaging tables and `effects` (one row per applied event, no
/// uniqueness: a double effect shows up as two rows).
class MessagingDb final {
public:
    explicit MessagingDb(const std::string& tag);
    db::PgConfig Config(std::size_t pool_size = 8) const { return database_.Config(pool_size); }
    db::Pool& pool() { return *pool_; }
    const std::string& conninfo() const { return database_.conninfo(); }
    const std::string& name() const { return database_.name(); }
    std::int64_t Scalar(const std::string& sql);
    /// Effects of a consumer: key -> payloads in the order applied.
    std::map<std::string, std::vector<std::string>> EffectsByKey(const std::string& consumer);
    /// event id -> number of effects.
    std::map<std::string, int> EffectCounts(const std::string& consumer);

private:
    testing::TestDatabase database_;
    std::unique_ptr<db::Pool> pool_;
};

/// Creates `topic` on the local stack's Kafka cluster with `partitions` partitions.
void CreateTopic(const std::string& topic, int partitions = 4);

/// Settings for the local stack's Kafka cluster with short waits.
KafkaConfig TestKafka();

/// Appends one event per payload with `key`, each in its own committed transaction, locking the
/// aggregate first as services do; returns the event ids.
std::vector<std::string> AppendCommitted(db::Pool& pool, const std::string& topic, const std::string& key,
                                         const std::vector<std::string>& payloads);

/// A handler that records each event in `effects` as (consumer, event_id, key, payload).
EventHandler RecordingHandler(const std::string& consumer);

}  // namespace marketplace::messaging::test
