#pragma once
// Counters and gauges of the messaging core, read by the metrics endpoint and by tests.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace marketplace::messaging {

struct RelayMetrics {
    std::atomic<std::uint64_t> published{0};
    std::atomic<std::uint64_t> publish_failures{0};
    std::atomic<std::uint64_t> batches{0};
    std::atomic<std::int64_t> oldest_unpublished_age_ms{0};
    std::atomic<bool> leader{false};
};

struct ConsumerMetrics {
    std::atomic<std::uint64_t> handled{0};
    std::atomic<std::uint64_t> duplicates{0};
    std::atomic<std::uint64_t> retries{0};
    std::atomic<std::uint64_t> dead_lettered{0};
    std::atomic<std::uint64_t> held_behind_dead_letter{0};
    std::atomic<std::uint64_t> redriven{0};
    std::atomic<std::int64_t> dlq_depth{0};

    /// Lag per "topic/partition": high watermark minus the consumer's position.
    std::map<std::string, std::int64_t> Lag() const;
    void SetLag(const std::string& topic_partition, std::int64_t lag);

private:
    mutable std::mutex mu_;
    std::map<std::string, std::int64_t> lag_;
};

struct TimerMetrics {
    /// Counts a timer of `kind` whose handler's transaction committed.
    void Fired(const std::string& kind);
    /// Timers fired so far, by kind.
    std::map<std::string, std::uint64_t> FiredByKind() const;

private:
    mutable std::mutex mu_;
    std::map<std::string, std::uint64_t> fired_;
};

}  // namespace marketplace::messaging
