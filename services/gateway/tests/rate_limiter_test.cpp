#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "edge/rate_limiter.hpp"

using namespace marketplace::gateway;
using namespace std::chrono_literals;

TEST_CASE("Token bucket: a burst passes, the next request waits for a refill", "[gateway][unit]") {
    RateLimiter limiter({.rate_per_second = 2, .burst = 3});
    const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
    for (int i = 0; i < 3; ++i) CHECK(limiter.Take("10.0.0.1", t0).allowed);
    const auto refused = limiter.Take("10.0.0.1", t0);
    CHECK_FALSE(refused.allowed);
    CHECK(refused.retry_after == 1s);  // half a second to the next token, rounded up
    CHECK_FALSE(limiter.Take("10.0.0.1", t0 + 400ms).allowed);
    CHECK(limiter.Take("10.0.0.1", t0 + 500ms).allowed);
    CHECK_FALSE(limiter.Take("10.0.0.1", t0 + 500ms).allowed);
    // A long pause refills to the burst, never beyond.
    const auto later = t0 + 60s;
    for (int i = 0; i < 3; ++i) CHECK(limiter.Take("10.0.0.1", later).allowed);
    CHECK_FALSE(limiter.Take("10.0.0.1", later).allowed);
}

TEST_CASE("Token bucket: keys are independent", "[gateway][unit]") {
    RateLimiter limiter({.rate_per_second = 1, .burst = 1});
    const auto t0 = RateLimiter::Clock::time_point{} + 5s;
    CHECK(limiter.Take("alice", t0).allowed);
    CHECK_FALSE(limiter.Take("alice", t0).allowed);
    CHECK(limiter.Take("bob", t0).allowed);
}

TEST_CASE("Token bucket: Retry-After covers a slow rate", "[gateway][unit]") {
    RateLimiter limiter({.rate_per_second = 0.1, .burst = 1});  // one request every ten seconds
    const auto t0 = RateLimiter::Clock::time_point{} + 5s;
    CHECK(limiter.Take("k", t0).allowed);
    const auto refused = limiter.Take("k", t0 + 1s);
    CHECK_FALSE(refused.allowed);
    CHECK(refused.retry_after == 9s);
    CHECK(limiter.Take("k", t0 + 10s).allowed);
}

TEST_CASE("Token bucket: a zero rate disables the limit", "[gateway][unit]") {
    RateLimiter limiter({.rate_per_second = 0, .burst = 1});
    for (int i = 0; i < 1000; ++i) REQUIRE(limiter.Take("k").allowed);
    CHECK(limiter.tracked_keys() == 0);
}

TEST_CASE("Token bucket: the number of tracked keys stays bounded", "[gateway][unit]") {
    RateLimiter limiter({.rate_per_second = 1, .burst = 5, .max_keys = 160});
    const auto t0 = RateLimiter::Clock::time_point{} + 5s;
    for (int i = 0; i < 10'000; ++i) limiter.Take("client-" + std::to_string(i), t0 + std::chrono::milliseconds(i));
    CHECK(limiter.tracked_keys() <= 160);
    // A key that is being limited right now survives an eviction pass caused by idle ones.
    RateLimiter busy({.rate_per_second = 1, .burst = 1, .max_keys = 16});
    CHECK(busy.Take("hot", t0).allowed);
    for (int i = 0; i < 100; ++i) busy.Take("idle-" + std::to_string(i), t0 - 100s);
    CHECK(busy.tracked_keys() <= 16);
}

TEST_CASE("Token bucket: concurrent takers never get more than the burst", "[gateway][unit]") {
    RateLimiter limiter({.rate_per_second = 0.001, .burst = 100});
    const auto t0 = RateLimiter::Clock::now();
    std::atomic<int> allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 100; ++i) {
                if (limiter.Take("shared", t0).allowed) ++allowed;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(allowed.load() == 100);
}
