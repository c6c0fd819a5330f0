#pragma once
// Token buckets keyed by a string (a source address, a user id): each key may make `burst`
// requests at once and `rate_per_second` on average. Thread-safe (sharded locks). Memory is bounded:
// when a shard holds too many keys, the ones whose bucket has refilled (idle callers) are dropped,
// which loses nothing since a new bucket starts full.
#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace marketplace::gateway {

struct TokenBucketOptions {
    /// Average requests per second; 0 disables the limit.
    double rate_per_second = 0;
    /// Requests allowed at once (the bucket's size); at least 1 when enabled.
    double burst = 1;
    /// At most this many keys are tracked (beyond, idle ones are dropped first).
    std::size_t max_keys = 100'000;
};

class RateLimiter final {
public:
    using Clock = std::chrono::steady_clock;

    struct Decision {
        bool allowed = true;
        /// When refused: whole seconds until a request would be allowed (at least 1): Retry-After.
        std::chrono::seconds retry_after{0};
    };

    explicit RateLimiter(TokenBucketOptions options);

    /// Takes one token from `key`'s bucket at time `now`.
    Decision Take(std::string_view key, Clock::time_point now = Clock::now());

    bool enabled() const noexcept { return options_.rate_per_second > 0; }
    std::size_t tracked_keys() const;

private:
    struct Bucket {
        double tokens;
        Clock::time_point updated;
    };
    struct Shard {
        mutable std::mutex mu;
        std::unordered_map<std::string, Bucket> buckets;
    };
    static constexpr std::size_t kShards = 16;

    void Evict(Shard& shard, Clock::time_point now);

    TokenBucketOptions options_;
    std::array<Shard, kShards> shards_;
};

}  // namespace marketplace::gateway
