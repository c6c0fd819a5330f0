// A clan's release: fee, leader's commission and member shares in one largest-remainder allocation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>

#include "domain/clan_split.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"

using namespace marketplace;
using namespace marketplace::payments;

__extension__ using I128 = __int128;

namespace {

ClanPlanInForce Plan(ClanSplitMode mode, std::initializer_list<std::int64_t> weights) {
    ClanPlanInForce plan;
    plan.leader_id = core::NewUuidV7();
    plan.mode = mode;
    for (auto w : weights) plan.shares.push_back({core::NewUuidV7(), w});
    return plan;
}

std::int64_t Total(const ClanReleasePlan& p) {
    return std::accumulate(p.member_amounts.begin(), p.member_amounts.end(), p.fee + p.commission);
}

// |part - exact| < 1 where exact = amount x numerator / denominator, checked in 128-bit integers:
// part x denominator and amount x numerator differ by less than one denominator.
bool WithinOneMinorUnit(std::int64_t part, std::int64_t amount, I128 numerator, I128 denominator) {
    const I128 diff = static_cast<I128>(part) * denominator - static_cast<I128>(amount) * numerator;
    return diff > -denominator && diff < denominator;
}

}  // namespace

TEST_CASE("Clan release: 10% fee, 3% commission, 87% pool by basis points", "[payments][domain]") {
    const auto plan = PlanClanRelease(100'000, 1000, kLeaderCommissionBps,
                                      Plan(ClanSplitMode::kBasisPoints, {4000, 3000, 2000, 1000}));
    CHECK(plan.fee == 10'000);
    CHECK(plan.commission == 3'000);
    CHECK(plan.member_amounts == std::vector<std::int64_t>{34'800, 26'100, 17'400, 8'700});
}

TEST_CASE("Clan release: leftover minor units go to the largest remainders, ties to the earlier part",
          "[payments][domain]") {
    // 1 minor unit: exact shares 0.1, 0.03, 0.29 x 3; the member remainders tie and the earliest wins.
    auto plan = PlanClanRelease(1, 1000, 300, Plan(ClanSplitMode::kBasisPoints, {3334, 3333, 3333}));
    CHECK(plan.fee == 0);
    CHECK(plan.commission == 0);
    CHECK(plan.member_amounts == std::vector<std::int64_t>{1, 0, 0});
    // 3 equal members of 100: each exact share is 29.0; nothing left over.
    plan = PlanClanRelease(100, 1000, 300, Plan(ClanSplitMode::kFixedAmounts, {5, 5, 5}));
    CHECK(Total(plan) == 100);
    CHECK(plan.fee == 10);
    CHECK(plan.commission == 3);
    CHECK(plan.member_amounts == std::vector<std::int64_t>{29, 29, 29});
    // 10 minor units, two equal members: exact 1, 0.3, 4.35, 4.35 -> the one leftover unit goes to
    // the larger remainders (0.35 = 0.35 > 0.3): the earlier member.
    plan = PlanClanRelease(10, 1000, 300, Plan(ClanSplitMode::kBasisPoints, {5000, 5000}));
    CHECK(plan.fee == 1);
    CHECK(plan.commission == 0);
    CHECK(plan.member_amounts == std::vector<std::int64_t>{5, 4});
}

TEST_CASE("Clan release: fixed amounts divide each milestone's pool in proportion", "[payments][domain]") {
    // A contract of 1000.00 has a pool of 870.00, fixed as 500.00 + 370.00; a milestone of 400.00 pays
    // 348.00 of pool in the same proportion.
    const auto plan = PlanClanRelease(40'000, 1000, 300, Plan(ClanSplitMode::kFixedAmounts, {50'000, 37'000}));
    CHECK(plan.fee == 4'000);
    CHECK(plan.commission == 1'200);
    CHECK(plan.member_amounts == std::vector<std::int64_t>{20'000, 14'800});
}

TEST_CASE("Clan release: invalid plans are refused naming the field", "[payments][domain]") {
    using Catch::Matchers::Contains;
    const auto bps = Plan(ClanSplitMode::kBasisPoints, {6000, 4000});
    CHECK_THROWS_WITH(PlanClanRelease(0, 1000, 300, bps), Contains("amount"));
    CHECK_THROWS_WITH(PlanClanRelease(100, 9800, 300, bps), Contains("commission_bps"));
    auto bad = bps;
    bad.shares[1].weight = 3999;
    CHECK_THROWS_AS(PlanClanRelease(100, 1000, 300, bad), core::InvalidArgument);
    CHECK_THROWS_WITH(PlanClanRelease(100, 1000, 300, bad), Contains("sum to 10000"));
    bad = bps;
    bad.shares[0].weight = 0;
    CHECK_THROWS_WITH(PlanClanRelease(100, 1000, 300, bad), Contains("shares[0].weight"));
    bad = bps;
    bad.shares[1].user_id = "not-a-uuid";
    CHECK_THROWS_WITH(PlanClanRelease(100, 1000, 300, bad), Contains("shares[1].user_id"));
    bad = bps;
    bad.leader_id = "";
    CHECK_THROWS_WITH(PlanClanRelease(100, 1000, 300, bad), Contains("leader_id"));
    auto huge = Plan(ClanSplitMode::kFixedAmounts, {kMaxClanWeightSum, 1});
    CHECK_THROWS_WITH(PlanClanRelease(100, 1000, 300, huge), Contains("at most"));
    CHECK_THROWS_WITH(ParseClanSplitMode("percent"), Contains("split_mode"));
    CHECK(PlanClanRelease(100, 1000, 300, Plan(ClanSplitMode::kFixedAmounts, {kMaxClanWeightSum})).member_amounts ==
          std::vector<std::int64_t>{87});
}

TEST_CASE("Clan release: random escrows and splits sum exactly, none negative, each within a minor unit",
          "[payments][domain]") {
    const auto seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    const std::int64_t kMaxAmount = std::numeric_limits<std::int64_t>::max();
    for (int round = 0; round < 20'000; ++round) {
        std::int64_t amount = 0;
        switch (round % 5) {
            case 0:
                amount = 1 + static_cast<std::int64_t>(rng() % 10);
                break;  // 1..10 minor units
            case 1:
                amount = 2 * static_cast<std::int64_t>(rng() % 5'000'000) + 1;
                break;  // odd
            case 2:
                amount = 1 + static_cast<std::int64_t>(rng() % 100'000'000'000);
                break;  // up to PAYMENTS_MAX_AMOUNT
            case 3:
                amount = kMaxAmount - static_cast<std::int64_t>(rng() % 1000);
                break;  // int64's edge
            default:
                amount = 1 + static_cast<std::int64_t>(rng() % 1'000'000'000'000'000);
                break;
        }
        const std::int64_t fee_bps = (round % 3 == 0) ? 1000 : static_cast<std::int64_t>(rng() % 9701);
        const std::int64_t commission_bps = (round % 3 == 0) ? 300 : static_cast<std::int64_t>(rng() % 301);
        const std::size_t members = 1 + rng() % 50;
        ClanPlanInForce plan;
        plan.leader_id = core::NewUuidV7();
        plan.mode = (round % 2 == 0) ? ClanSplitMode::kBasisPoints : ClanSplitMode::kFixedAmounts;
        if (plan.mode == ClanSplitMode::kBasisPoints) {
            // Random basis points summing to 10000, each at least 1.
            std::vector<std::int64_t> cuts;
            for (std::size_t i = 0; i + 1 < members; ++i) cuts.push_back(1 + static_cast<std::int64_t>(rng() % 9999));
            cuts.push_back(0);
            cuts.push_back(10000);
            std::sort(cuts.begin(), cuts.end());
            cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
            for (std::size_t i = 1; i < cuts.size(); ++i)
                plan.shares.push_back({core::NewUuidV7(), cuts[i] - cuts[i - 1]});
        } else {
            const std::int64_t cap = (rng() % 2 == 0) ? 1'000'000 : kMaxClanWeightSum / 50;
            for (std::size_t i = 0; i < members; ++i) {
                plan.shares.push_back({core::NewUuidV7(), 1 + static_cast<std::int64_t>(rng() % cap)});
            }
        }
        INFO("round " << round << " amount " << amount << " fee_bps " << fee_bps << " commission_bps " << commission_bps
                      << " members " << plan.shares.size());
        const auto out = PlanClanRelease(amount, fee_bps, commission_bps, plan);
        REQUIRE(out.member_amounts.size() == plan.shares.size());
        I128 weight_sum = 0;
        for (const auto& s : plan.shares) weight_sum += s.weight;
        I128 total = static_cast<I128>(out.fee) + out.commission;
        REQUIRE(out.fee >= 0);
        REQUIRE(out.commission >= 0);
        REQUIRE(WithinOneMinorUnit(out.fee, amount, fee_bps, 10000));
        REQUIRE(WithinOneMinorUnit(out.commission, amount, commission_bps, 10000));
        const I128 pool_bps = 10000 - fee_bps - commission_bps;
        for (std::size_t i = 0; i < plan.shares.size(); ++i) {
            REQUIRE(out.member_amounts[i] >= 0);
            REQUIRE(WithinOneMinorUnit(out.member_amounts[i], amount, pool_bps * plan.shares[i].weight,
                                       10000 * weight_sum));
            total += out.member_amounts[i];
        }
        REQUIRE(total == static_cast<I128>(amount));
        // Same input, same output.
        const auto again = PlanClanRelease(amount, fee_bps, commission_bps, plan);
        REQUIRE(again.fee == out.fee);
        REQUIRE(again.commission == out.commission);
        REQUIRE(again.member_amounts == out.member_amounts);
    }
}
