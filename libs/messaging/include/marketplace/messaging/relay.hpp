#pragma once
// The outbox relay: publishes committed outbox rows to Kafka with an idempotent producer
// (acks=all), waits for the broker's acknowledgements, then deletes what was published.
// Only the holder of a PostgreSQL advisory lock publishes; other relays on the same database
// stand by and take over within `standby_poll` of the holder going away.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "marketplace/core/clock.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/messaging/kafka_config.hpp"
#include "marketplace/messaging/metrics.hpp"

namespace marketplace::messaging {

struct RelayOptions {
    std::string service;  // ce_source is "//marketplace/<service>"; also names the advisory lock
    int batch_size = 1000;
    std::chrono::milliseconds min_idle_wait{1};   // first poll after an empty batch
    std::chrono::milliseconds max_idle_wait{50};  // polls back off to this when idle
    std::chrono::milliseconds standby_poll{500};  // how often a standby tries the lock
    std::chrono::milliseconds metrics_interval{1000};
    /// How long published_events keeps a published event (the saga timeline reads it), and how
    /// often the leader deletes older rows.
    std::chrono::seconds published_retention{std::chrono::hours(24 * 7)};
    std::chrono::milliseconds prune_interval{60000};
    /// Stamps published_at and measures the retention; null: the database's clock.
    std::shared_ptr<const core::Clock> clock;
    /// Test hook, called after the broker acknowledged a batch and before it is recorded.
    std::function<void()> after_publish_before_record;
};

class OutboxRelay final {
public:
    OutboxRelay(db::PgConfig pg, KafkaConfig kafka, RelayOptions options);
    ~OutboxRelay();
    OutboxRelay(const OutboxRelay&) = delete;
    OutboxRelay& operator=(const OutboxRelay&) = delete;

    void Start();
    /// Stops publishing, flushes what is in flight, releases the lock. Idempotent.
    void Stop();
    /// Wakes the relay now (call after committing a transaction that appended events).
    void Wake();
    bool IsLeader() const;
    const RelayMetrics& metrics() const;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace marketplace::messaging
