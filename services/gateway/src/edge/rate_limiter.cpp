#include "edge/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace marketplace::gateway {

RateLimiter::RateLimiter(TokenBucketOptions options) : options_(options) {
    if (options_.burst < 1) options_.burst = 1;
    if (options_.max_keys < kShards) options_.max_keys = kShards;
}

RateLimiter::Decision RateLimiter::Take(std::string_view key, Clock::time_point now) {
    if (!enabled()) return {};
    Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
    std::lock_guard lock(shard.mu);
    auto it = shard.buckets.find(std::string(key));
    if (it == shard.buckets.end()) {
        if (shard.buckets.size() >= options_.max_keys / kShards) Evict(shard, now);
        it = shard.buckets.emplace(std::string(key), Bucket{options_.burst, now}).first;
    }
    Bucket& bucket = it->second;
    if (now > bucket.updated) {
        const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
        bucket.tokens = std::min(options_.burst, bucket.tokens + elapsed * options_.rate_per_second);
        bucket.updated = now;
    }
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return {};
    }
    const double wait = (1.0 - bucket.tokens) / options_.rate_per_second;
    const auto seconds = static_cast<long long>(std::ceil(wait));
    return {false, std::chrono::seconds(std::max<long long>(1, seconds))};
}

void RateLimiter::Evict(Shard& shard, Clock::time_point now) {
    const double refill_seconds = options_.burst / options_.rate_per_second;
    for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
        const double idle = std::chrono::duration<double>(now - it->second.updated).count();
        if (it->second.tokens + idle * options_.rate_per_second >= options_.burst || idle >= refill_seconds) {
            it = shard.buckets.erase(it);
        } else {
            ++it;
        }
    }
    // Every tracked key is busy: drop the one idle the longest, so memory stays bounded.
    if (shard.buckets.size() >= options_.max_keys / kShards) {
        auto oldest = std::min_element(shard.buckets.begin(), shard.buckets.end(), [](const auto& a, const auto& b) {
            return a.second.updated < b.second.updated;
        });
        shard.buckets.erase(oldest);
    }
}

std::size_t RateLimiter::tracked_keys() const {
    std::size_t n = 0;
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard.mu);
        n += shard.buckets.size();
    }
    return n;
}

}  // namespace marketplace::gateway
