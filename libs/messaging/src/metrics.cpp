#include "marketplace/messaging/metrics.hpp"

namespace marketplace::messaging {

std::map<std::string, std::int64_t> ConsumerMetrics::Lag() const {
    std::lock_guard lock(mu_);
    return lag_;
}

void ConsumerMetrics::SetLag(const std::string& topic_partition, std::int64_t lag) {
    std::lock_guard lock(mu_);
    lag_[topic_partition] = lag;
}

void TimerMetrics::Fired(const std::string& kind) {
    std::lock_guard lock(mu_);
    ++fired_[kind];
}

std::map<std::string, std::uint64_t> TimerMetrics::FiredByKind() const {
    std::lock_guard lock(mu_);
    return fired_;
}

}  // namespace marketplace::messaging
