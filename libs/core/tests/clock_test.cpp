#include <catch2/catch.hpp>

#include "marketplace/core/clock.hpp"

using namespace marketplace::core;

TEST_CASE("Clock: a manual clock moves only when told", "[core][clock]") {
    const auto start = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
    ManualClock clock(start);
    CHECK(clock.Now() == start);
    clock.Advance(std::chrono::hours(24 * 14));
    CHECK(clock.Now() - start == std::chrono::hours(24 * 14));
    CHECK(FormatRfc3339(start) == "2027-01-15T08:00:00.000000Z");
    CHECK(FormatRfc3339(start + std::chrono::microseconds(1500)) == "2027-01-15T08:00:00.001500Z");
}
