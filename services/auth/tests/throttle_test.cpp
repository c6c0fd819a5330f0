#include <catch2/catch.hpp>

#include <chrono>

#include "domain/hashing_slots.hpp"
#include "domain/login_throttle.hpp"

using namespace marketplace;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {
const core::Clock::TimePoint kNow{seconds(1'800'000'000)};
const auth::ThrottlePolicy kPolicy{5, minutes(15)};
}  // namespace

TEST_CASE("Throttle: fewer failures than the limit in the window allow the attempt", "[auth][throttle]") {
    CHECK_FALSE(auth::DecideThrottle({}, kNow, kPolicy).blocked);
    CHECK_FALSE(auth::DecideThrottle({kNow - minutes(1), kNow - minutes(2), kNow - minutes(3), kNow - minutes(4)}, kNow,
                                     kPolicy)
                    .blocked);
}

TEST_CASE("Throttle: the fifth failure in 15 minutes blocks until the oldest leaves the window", "[auth][throttle]") {
    const std::vector<core::Clock::TimePoint> failures{kNow - minutes(10), kNow - minutes(8), kNow - minutes(6),
                                                       kNow - minutes(4), kNow - minutes(2)};
    const auto d = auth::DecideThrottle(failures, kNow, kPolicy);
    CHECK(d.blocked);
    CHECK(d.retry_after == minutes(5));  // the failure 10 minutes ago leaves the window in 5

    CHECK(auth::DecideThrottle(failures, kNow + minutes(5) - seconds(1), kPolicy).blocked);
    CHECK_FALSE(auth::DecideThrottle(failures, kNow + minutes(5), kPolicy).blocked);
}

TEST_CASE("Throttle: failures older than the window do not count", "[auth][throttle]") {
    const std::vector<core::Clock::TimePoint> failures{kNow - minutes(40), kNow - minutes(30), kNow - minutes(16),
                                                       kNow - minutes(15), kNow - minutes(1)};
    CHECK_FALSE(auth::DecideThrottle(failures, kNow, kPolicy).blocked);
}

TEST_CASE("Throttle: with more failures than the limit, the block lasts until enough have expired",
          "[auth][throttle]") {
    // Seven failures, unordered: attempts resume when only four remain, i.e. when the third oldest
    // (12 minutes ago) leaves the window, 3 minutes from now.
    const std::vector<core::Clock::TimePoint> failures{kNow - minutes(1),  kNow - minutes(14), kNow - minutes(3),
                                                       kNow - minutes(12), kNow - minutes(2),  kNow - minutes(13),
                                                       kNow - minutes(11)};
    const auto d = auth::DecideThrottle(failures, kNow, kPolicy);
    CHECK(d.blocked);
    CHECK(d.retry_after == minutes(3));
    CHECK(auth::DecideThrottle(failures, kNow + minutes(3) - seconds(1), kPolicy).blocked);
    CHECK_FALSE(auth::DecideThrottle(failures, kNow + minutes(3), kPolicy).blocked);
}

TEST_CASE("Throttle: a block always asks to wait at least one second", "[auth][throttle]") {
    const auto t = kNow - minutes(15) + std::chrono::milliseconds(200);
    const auto d = auth::DecideThrottle({t, t, t, t, t}, kNow, kPolicy);
    CHECK(d.blocked);
    CHECK(d.retry_after == seconds(1));
}

TEST_CASE("Hashing slots: beyond the capacity a caller is refused at once, and a released slot is free again",
          "[auth][throttle]") {
    auth::HashingSlots slots(2);
    auto first = slots.TryAcquire();
    auto second = slots.TryAcquire();
    REQUIRE(first);
    REQUIRE(second);
    CHECK_FALSE(slots.TryAcquire());
    CHECK(slots.refused() == 1);
    CHECK(slots.in_flight() == 2);
    second.reset();
    CHECK(slots.in_flight() == 1);
    CHECK(slots.TryAcquire());
    CHECK(slots.max_in_flight() == 2);
}

TEST_CASE("Hashing slots: sized by the memory budget, at most the useful number, at least one", "[auth][throttle]") {
    constexpr std::uint64_t kMiB = 1024 * 1024;
    CHECK(auth::SlotsForBudget(256 * kMiB, 64 * kMiB, 8) == 4);
    CHECK(auth::SlotsForBudget(256 * kMiB, 64 * kMiB, 2) == 2);
    CHECK(auth::SlotsForBudget(32 * kMiB, 64 * kMiB, 8) == 1);
}
