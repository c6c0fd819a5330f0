// Fee and split arithmetic: the parts always sum to the whole.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>

#include "domain/release_plan.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"

using namespace marketplace;
using namespace marketplace::payments;

__extension__ using I128 = __int128;

namespace {

std::vector<PayeeShare> Shares(std::initializer_list<std::int64_t> bps) {
    std::vector<PayeeShare> out;
    for (auto b : bps) out.push_back({core::NewUuidV7(), b});
    return out;
}

std::int64_t Total(const ReleasePlan& plan) {
    return std::accumulate(plan.payee_amounts.begin(), plan.payee_amounts.end(), plan.fee);
}

}  // namespace

TEST_CASE("Release: the default 10% fee and one payee", "[payments][domain]") {
    const auto plan = PlanRelease(150'000, 1000, Shares({10000}));
    CHECK(plan.fee == 15'000);
    REQUIRE(plan.payee_amounts.size() == 1);
    CHECK(plan.payee_amounts[0] == 135'000);
}

TEST_CASE("Release: the fee rounds down and the payees get the rest to the last minor unit", "[payments][domain]") {
    const auto plan = PlanRelease(999, 1000, Shares({10000}));
    CHECK(plan.fee == 99);
    CHECK(plan.payee_amounts[0] == 900);
    const auto tiny = PlanRelease(1, 1000, Shares({5000, 5000}));
    CHECK(tiny.fee == 0);
    CHECK(tiny.payee_amounts == std::vector<std::int64_t>{1, 0});
}

TEST_CASE("Release: a three-way split by largest remainder, ties to the earlier payee", "[payments][domain]") {
    // 100.01 with a 10% fee: 10.00 fee (rounded down), 90.01 split 50/30/20 -> 45.005, 27.003, 18.002;
    // the one unit left goes to the largest remainder.
    const auto plan = PlanRelease(10'001, 1000, Shares({5000, 3000, 2000}));
    CHECK(plan.fee == 1000);
    CHECK(plan.payee_amounts == std::vector<std::int64_t>{4501, 2700, 1800});
    CHECK(Total(plan) == 10'001);
    // 90.00 split 3334/3333/3333: remainders .6/.7/.7, two units left -> the two .7s.
    CHECK(PlanRelease(10'000, 1000, Shares({3334, 3333, 3333})).payee_amounts ==
          std::vector<std::int64_t>{3000, 3000, 3000});
    // Equal remainders: the earlier payee wins.
    CHECK(PlanRelease(2, 0, Shares({3333, 3333, 3334})).payee_amounts == std::vector<std::int64_t>{1, 0, 1});
}

TEST_CASE("Release: invalid fees and shares are refused, naming the field", "[payments][domain]") {
    auto field_of = [](std::int64_t amount, std::int64_t fee, std::vector<PayeeShare> payees) {
        try {
            PlanRelease(amount, fee, payees);
        } catch (const core::InvalidArgument& e) {
            return e.field();
        }
        return std::string("accepted");
    };
    CHECK(field_of(100, 1000, Shares({10000})) == "accepted");
    CHECK(field_of(0, 1000, Shares({10000})) == "amount");
    CHECK(field_of(100, 10001, Shares({10000})) == "fee_bps");
    CHECK(field_of(100, -1, Shares({10000})) == "fee_bps");
    CHECK(field_of(100, 1000, {}) == "payees");
    CHECK(field_of(100, 1000, Shares({5000, 4000})) == "payees");
    CHECK(field_of(100, 1000, Shares({10000, 0})) == "payees[1].share_bps");
    CHECK(field_of(100, 1000, {{"not-a-uuid", 10000}}) == "payees[0].user_id");
}

TEST_CASE("Release: random amounts, fees and splits always sum exactly to the escrow", "[payments][domain]") {
    const auto seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    for (int round = 0; round < 20'000; ++round) {
        const std::int64_t amount = round % 3 == 0 ? 1 + static_cast<std::int64_t>(rng() % 1000)
                                                   : 1 + static_cast<std::int64_t>(rng() % 100'000'000'000'000LL);
        const std::int64_t fee_bps = static_cast<std::int64_t>(rng() % 10001);
        const int payees = 1 + static_cast<int>(rng() % 12);
        // Random cut points in 1..9999 give positive shares summing to 10000.
        std::vector<std::int64_t> cuts{0, 10000};
        while (static_cast<int>(cuts.size()) < payees + 1) {
            const auto c = 1 + static_cast<std::int64_t>(rng() % 9999);
            if (std::find(cuts.begin(), cuts.end(), c) == cuts.end()) cuts.push_back(c);
        }
        std::sort(cuts.begin(), cuts.end());
        std::vector<PayeeShare> shares;
        for (int i = 0; i < payees; ++i) shares.push_back({core::NewUuidV4(), cuts[i + 1] - cuts[i]});

        const auto plan = PlanRelease(amount, fee_bps, shares);
        INFO("amount " << amount << " fee_bps " << fee_bps << " payees " << payees);
        REQUIRE(Total(plan) == amount);
        REQUIRE(plan.fee == static_cast<std::int64_t>(static_cast<I128>(amount) * fee_bps / 10000));
        const std::int64_t rest = amount - plan.fee;
        for (int i = 0; i < payees; ++i) {
            // Each part is within one minor unit of its exact proportional share.
            const I128 exact_times_10000 = static_cast<I128>(rest) * shares[i].share_bps;
            const I128 part_times_10000 = static_cast<I128>(plan.payee_amounts[i]) * 10000;
            REQUIRE(part_times_10000 - exact_times_10000 < 10000);
            REQUIRE(exact_times_10000 - part_times_10000 < 10000);
            REQUIRE(plan.payee_amounts[i] >= 0);
        }
    }
}

TEST_CASE("Dispute settlement: random escrows and released parts; the fee only on what is released",
          "[payments][domain][dispute]") {
    const auto seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    const std::vector<PayeeShare> freelancer{{core::NewUuidV4(), 10000}};
    for (int round = 0; round < 50'000; ++round) {
        const std::int64_t escrow = round % 4 == 0 ? 1 + static_cast<std::int64_t>(rng() % 1000)
                                                   : 1 + static_cast<std::int64_t>(rng() % 100'000'000'000'000LL);
        // Every fourth round an edge: nothing released, or everything.
        const std::int64_t released = round % 8 == 1   ? 0
                                      : round % 8 == 5 ? escrow
                                                       : static_cast<std::int64_t>(rng() % (escrow + 1));
        const std::int64_t fee_bps = static_cast<std::int64_t>(rng() % 10001);
        const auto plan = PlanSettlement(escrow, released, fee_bps, freelancer);
        INFO("escrow " << escrow << " released " << released << " fee_bps " << fee_bps);
        REQUIRE(plan.refund >= 0);
        REQUIRE(plan.release.fee >= 0);
        REQUIRE(plan.release.payee_amounts.size() == 1);
        REQUIRE(plan.release.payee_amounts[0] >= 0);
        REQUIRE(plan.release.fee + plan.release.payee_amounts[0] + plan.refund == escrow);
        REQUIRE(plan.refund == escrow - released);
        // The fee is charged on the released part only.
        REQUIRE(plan.release.fee == static_cast<std::int64_t>(static_cast<I128>(released) * fee_bps / 10000));
    }
    CHECK_THROWS_AS(PlanSettlement(100, 101, 1000, freelancer), core::InvalidArgument);
    CHECK_THROWS_AS(PlanSettlement(100, -1, 1000, freelancer), core::InvalidArgument);
    CHECK_THROWS_AS(PlanSettlement(0, 0, 1000, freelancer), core::InvalidArgument);
}
