// Dividing an escrow by basis points: the parts always sum to the escrow, none is negative, each is
// within one minor unit of its exact share, and the leftover unit goes by a fixed rule.
#include "domain/split.hpp"

#include <catch2/catch.hpp>
#include <random>

#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::disputes;

namespace {
__extension__ typedef __int128 Int128;
}  // namespace

TEST_CASE("Split: whole and empty releases", "[disputes][split]") {
    CHECK(SplitByBps(12345, 10000).released == 12345);
    CHECK(SplitByBps(12345, 10000).refunded == 0);
    CHECK(SplitByBps(12345, 0).released == 0);
    CHECK(SplitByBps(12345, 0).refunded == 12345);
}

TEST_CASE("Split: the leftover unit goes to the larger remainder, a tie to the client", "[disputes][split]") {
    // 101 * 60% = 60.6 -> released 61 (remainder .6 beats .4)
    CHECK(SplitByBps(101, 6000).released == 61);
    CHECK(SplitByBps(101, 6000).refunded == 40);
    // 101 * 40% = 40.4 -> released 40, refunded 61
    CHECK(SplitByBps(101, 4000).released == 40);
    // 3 * 50% = 1.5 each: the tie goes to the client
    CHECK(SplitByBps(3, 5000).released == 1);
    CHECK(SplitByBps(3, 5000).refunded == 2);
}

TEST_CASE("Split: out-of-range input names the field", "[disputes][split]") {
    CHECK_THROWS_AS(SplitByBps(100, -1), core::InvalidArgument);
    CHECK_THROWS_AS(SplitByBps(100, 10001), core::InvalidArgument);
    CHECK_THROWS_AS(SplitByBps(0, 5000), core::InvalidArgument);
    try {
        SplitByBps(100, 10001);
    } catch (const core::InvalidArgument& e) {
        CHECK(std::string(e.what()).find("release_bps") != std::string::npos);
    }
}

TEST_CASE("Split: random escrows and basis points always sum to the escrow", "[disputes][split][property]") {
    const auto seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> bps_dist(0, 10000);
    std::uniform_int_distribution<int> magnitude(0, 62);
    for (int i = 0; i < 200000; ++i) {
        const std::int64_t escrow = 1 + static_cast<std::int64_t>(rng() % (std::uint64_t{1} << magnitude(rng)));
        const int bps = bps_dist(rng);
        const auto s = SplitByBps(escrow, bps);
        INFO("escrow " << escrow << " bps " << bps);
        REQUIRE(s.released >= 0);
        REQUIRE(s.refunded >= 0);
        REQUIRE(s.released + s.refunded == escrow);
        // Within one minor unit of the exact share: |released * 10000 - escrow * bps| < 10000.
        const Int128 diff = static_cast<Int128>(s.released) * 10000 - static_cast<Int128>(escrow) * bps;
        REQUIRE(diff > -10000);
        REQUIRE(diff < 10000);
    }
    // The largest escrow there is.
    const auto top = SplitByBps(INT64_MAX, 3333);
    CHECK(top.released + top.refunded == INT64_MAX);
}

TEST_CASE("Split: basis points of an amount round to the nearest", "[disputes][split]") {
    CHECK(BpsOf(0, 100) == 0);
    CHECK(BpsOf(100, 100) == 10000);
    CHECK(BpsOf(1, 3) == 3333);
    CHECK(BpsOf(2, 3) == 6667);
}
