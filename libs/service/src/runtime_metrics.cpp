#include "runtime_metrics.hpp"

#include <map>
#include <string>

#include "marketplace/core/log.hpp"

namespace marketplace::service {
namespace {

using metrics::Family;
using metrics::Type;

constexpr std::chrono::seconds kOverdueAfter{60};
constexpr std::chrono::seconds kOverdueCacheFor{5};

Family Single(const std::string& name, const std::string& help, Type type, double value) {
    return Family{name, help, type, {{{}, value}}};
}

void AddOutbox(const messaging::RelayMetrics& r, std::vector<Family>& out) {
    const bool leader = r.leader.load();
    // Only the leader measures the outbox; a standby reports 0 rather than a stale age.
    out.push_back(Single("marketplace_outbox_oldest_unpublished_age_seconds",
                         "Age of the oldest event committed to the outbox and not yet published, in seconds.",
                         Type::kGauge, leader ? static_cast<double>(r.oldest_unpublished_age_ms.load()) / 1000.0 : 0));
    out.push_back(Single("marketplace_outbox_published_total", "Outbox events published and acknowledged by Kafka.",
                         Type::kCounter, static_cast<double>(r.published.load())));
    out.push_back(Single("marketplace_outbox_publish_failures_total",
                         "Outbox events Kafka did not acknowledge (published again later).", Type::kCounter,
                         static_cast<double>(r.publish_failures.load())));
    out.push_back(Single("marketplace_outbox_relay_leader",
                         "1 when this process's relay holds the publish lock, 0 when it stands by.", Type::kGauge,
                         leader ? 1 : 0));
}

void AddConsumers(const std::vector<std::unique_ptr<messaging::InboxConsumer>>& consumers, std::vector<Family>& out) {
    double handled = 0, duplicates = 0, retries = 0, dead_lettered = 0, dlq_depth = 0;
    Family lag{"marketplace_consumer_lag", "Messages in a partition after the consumer's position.", Type::kGauge, {}};
    std::map<std::string, std::int64_t> lags;
    for (const auto& consumer : consumers) {
        const auto& m = consumer->metrics();
        handled += static_cast<double>(m.handled.load());
        duplicates += static_cast<double>(m.duplicates.load());
        retries += static_cast<double>(m.retries.load());
        dead_lettered += static_cast<double>(m.dead_lettered.load());
        dlq_depth += static_cast<double>(m.dlq_depth.load());
        for (const auto& [topic_partition, value] : m.Lag()) lags[topic_partition] += value;
    }
    for (const auto& [topic_partition, value] : lags) {
        const auto slash = topic_partition.rfind('/');
        if (slash == std::string::npos) continue;
        lag.samples.push_back(
            {{{"topic", topic_partition.substr(0, slash)}, {"partition", topic_partition.substr(slash + 1)}},
             static_cast<double>(value)});
    }
    out.push_back(std::move(lag));
    out.push_back(Single("marketplace_consumer_handled_total", "Events applied by the service's consumers.",
                         Type::kCounter, handled));
    out.push_back(Single("marketplace_consumer_duplicates_total",
                         "Events delivered again and skipped because they were already applied.", Type::kCounter,
                         duplicates));
    out.push_back(Single("marketplace_consumer_retries_total",
                         "Failed attempts at applying an event that were retried.", Type::kCounter, retries));
    out.push_back(Single("marketplace_consumer_dead_lettered_total", "Events parked as dead letters.", Type::kCounter,
                         dead_lettered));
    out.push_back(Single("marketplace_dlq_depth", "Dead letters not resolved yet (parked, waiting or redriving).",
                         Type::kGauge, dlq_depth));
}

void AddTimers(messaging::TimerScheduler& scheduler, OverdueCache& cache, std::vector<Family>& out) {
    Family fired{"marketplace_timers_fired_total",
                 "Durable timers fired (their handler committed), by kind.",
                 Type::kCounter,
                 {}};
    for (const auto& [kind, count] : scheduler.metrics().FiredByKind()) {
        fired.samples.push_back({{{"kind", kind}}, static_cast<double>(count)});
    }
    out.push_back(std::move(fired));
    std::lock_guard lock(cache.mu);
    const auto now = std::chrono::steady_clock::now();
    if (now >= cache.next_query) {
        try {
            cache.value = scheduler.Overdue(kOverdueAfter);
            cache.next_query = now + kOverdueCacheFor;
        } catch (const std::exception& e) {
            core::log::Warn("metrics: counting overdue timers failed", {{"error", e.what()}});
            return;
        }
    }
    out.push_back(Single("marketplace_timers_overdue", "Timers due more than 60 s ago and not fired yet.", Type::kGauge,
                         static_cast<double>(cache.value)));
}

}  // namespace

std::vector<Family> CollectRuntimeMetrics(const RuntimeMetricsSources& sources) {
    std::vector<Family> out;
    AddOutbox(sources.relay.metrics(), out);
    AddConsumers(sources.consumers, out);
    AddTimers(sources.scheduler, sources.overdue, out);
    return out;
}

}  // namespace marketplace::service
