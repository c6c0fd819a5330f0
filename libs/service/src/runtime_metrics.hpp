#pragma once
// The metrics every service has, read at scrape time from its relay, consumers and timers.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "marketplace/messaging/consumer.hpp"
#include "marketplace/messaging/relay.hpp"
#include "marketplace/messaging/timers.hpp"
#include "marketplace/metrics/metrics.hpp"

namespace marketplace::service {

/// The overdue-timers count, queried at most every few seconds.
struct OverdueCache {
    std::mutex mu;
    std::chrono::steady_clock::time_point next_query{};
    std::int64_t value = 0;
};

struct RuntimeMetricsSources {
    const messaging::OutboxRelay& relay;
    const std::vector<std::unique_ptr<messaging::InboxConsumer>>& consumers;
    messaging::TimerScheduler& scheduler;
    OverdueCache& overdue;
};

/// marketplace_outbox_*, marketplace_consumer_*, marketplace_dlq_depth, marketplace_timers_*.
std::vector<metrics::Family> CollectRuntimeMetrics(const RuntimeMetricsSources& sources);

}  // namespace marketplace::service
