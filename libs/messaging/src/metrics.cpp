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

}  // namespace marketplace::messaging
