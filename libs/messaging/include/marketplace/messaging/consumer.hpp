#pragma once
// The inbox consumer: reads topics with its own consumer group and applies each event in one
// PostgreSQL transaction together with an inbox row, so a redelivered event changes nothing.
// Events that are already waiting are applied together in one transaction (one commit for many);
// if any of them fails, the batch rolls back and its events are applied one at a time.
// Events are applied through an InboxApplier (inbox_applier.hpp). Offsets are committed only after
// the transaction. A failing event is retried (its partition
// paused, with backoff and jitter); one that still fails, or cannot be decoded, is dead-lettered:
// copied to <topic>.dlq with the error in headers and parked in the dead_letters table, and later
// events with the same key wait behind it until the redrive command replays them in order.
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/messaging/event.hpp"
#include "marketplace/messaging/inbox_applier.hpp"
#include "marketplace/messaging/kafka_config.hpp"
#include "marketplace/messaging/metrics.hpp"

namespace marketplace::messaging {

/// Thrown by a handler for an event that will never apply (undecodable, unknown version...):
/// it is dead-lettered at once, without retries.
class PermanentError final : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ConsumerOptions {
    std::string group;  // Kafka consumer group and the inbox's consumer name
    std::vector<std::string> topics;
    int max_attempts = 5;  // transient failures before dead-lettering
    int max_batch = 256;   // events applied in one transaction when they are already waiting
    /// Handles the claimed events of one transaction together (see InboxApplier); null: one by one.
    BatchHandler batch_handler;
    std::chrono::milliseconds retry_base{50};
    std::chrono::milliseconds retry_max{2000};
    std::chrono::milliseconds commit_interval{100};
    std::chrono::milliseconds redrive_poll{500};
    std::chrono::milliseconds metrics_interval{1000};
    /// Called after each transaction that applied events committed (a service wakes its relay here,
    /// since handlers publish through the outbox).
    std::function<void()> after_commit;
    /// Stamps inbox rows' handled_at (the age retention measures); null: the database's clock.
    std::shared_ptr<const core::Clock> clock;
    /// Test hook, called after an event's transaction committed and before its offset is stored.
    std::function<void(const IncomingEvent&)> after_commit_before_offset;
};

class InboxConsumer final {
public:
    InboxConsumer(db::PgConfig pg, KafkaConfig kafka, ConsumerOptions options, EventHandler handler);
    ~InboxConsumer();
    InboxConsumer(const InboxConsumer&) = delete;
    InboxConsumer& operator=(const InboxConsumer&) = delete;

    void Start();
    /// Stops consuming, commits stored offsets, leaves the group. Idempotent.
    void Stop();
    const ConsumerMetrics& metrics() const;
    /// True once the group has assigned this consumer its partitions.
    bool Assigned() const;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace marketplace::messaging
