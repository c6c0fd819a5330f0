#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <numeric>
#include <random>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/money.hpp"

using marketplace::core::AllocateLargestRemainder;
using marketplace::core::BasisPointsOf;
using marketplace::core::Currency;
using marketplace::core::InvalidArgument;
using marketplace::core::Money;

TEST_CASE("Currency: known ISO-4217 codes parse with their minor units", "[core][money]") {
    CHECK(Currency::Parse("EUR").minor_digits() == 2);
    CHECK(Currency::Parse("JPY").minor_digits() == 0);
    CHECK(Currency::Parse("KWD").minor_digits() == 3);
    CHECK(Currency::Parse("USD").code() == "USD");
}

TEST_CASE("Currency: an unknown code is rejected naming the field", "[core][money]") {
    try {
        Currency::Parse("XYZ", "budget.currency");
        FAIL("no error");
    } catch (const InvalidArgument& e) {
        CHECK(e.field() == "budget.currency");
        CHECK(e.caller_message() == "budget.currency: unknown ISO-4217 currency 'XYZ'");
    }
    CHECK_THROWS_AS(Currency::Parse("eur"), InvalidArgument);
    CHECK_THROWS_AS(Currency::Parse(""), InvalidArgument);
}

TEST_CASE("Money: arithmetic is exact and checked", "[core][money]") {
    const auto eur = Currency::Parse("EUR");
    const Money a(1050, eur), b(250, eur);
    CHECK((a + b).minor_units() == 1300);
    CHECK((a - b).minor_units() == 800);
    CHECK((-a).minor_units() == -1050);
    CHECK(a.Times(3).minor_units() == 3150);
    CHECK(a > b);
    const Money max(std::numeric_limits<std::int64_t>::max(), eur);
    CHECK_THROWS_AS(max + Money(1, eur), InvalidArgument);
    CHECK_THROWS_AS(Money(std::numeric_limits<std::int64_t>::min(), eur) - Money(1, eur), InvalidArgument);
    CHECK_THROWS_AS(max.Times(2), InvalidArgument);
    CHECK_THROWS_AS(-Money(std::numeric_limits<std::int64_t>::min(), eur), InvalidArgument);
}

TEST_CASE("Money: mixing currencies is rejected", "[core][money]") {
    const Money eur(100, Currency::Parse("EUR"));
    const Money usd(100, Currency::Parse("USD"));
    CHECK_THROWS_WITH(eur + usd, "currency: cannot add EUR and USD");
    CHECK_THROWS_AS(eur - usd, InvalidArgument);
    CHECK_THROWS_AS((void)(eur < usd), InvalidArgument);
    CHECK_FALSE(eur == usd);
}

TEST_CASE("Money: decimal text round-trips in minor units", "[core][money]") {
    const auto eur = Currency::Parse("EUR");
    CHECK(Money::ParseDecimal("12.34", eur).minor_units() == 1234);
    CHECK(Money::ParseDecimal("12.3", eur).minor_units() == 1230);
    CHECK(Money::ParseDecimal("12", eur).minor_units() == 1200);
    CHECK(Money::ParseDecimal("-0.05", eur).minor_units() == -5);
    CHECK(Money::ParseDecimal("7", Currency::Parse("JPY")).minor_units() == 7);
    CHECK(Money(1234, eur).ToString() == "12.34 EUR");
    CHECK(Money(-5, eur).ToDecimalString() == "-0.05");
    CHECK(Money(std::numeric_limits<std::int64_t>::min(), eur).ToDecimalString() == "-92233720368547758.08");
    CHECK_THROWS_WITH(Money::ParseDecimal("1.234", eur, "amount"), "amount: has more decimals than EUR allows (2)");
    CHECK_THROWS_AS(Money::ParseDecimal("1e5", eur), InvalidArgument);
    CHECK_THROWS_AS(Money::ParseDecimal("", eur), InvalidArgument);
    CHECK_THROWS_AS(Money::ParseDecimal(".", eur), InvalidArgument);
    CHECK_THROWS_AS(Money::ParseDecimal("1.2.3", eur), InvalidArgument);
    CHECK_THROWS_WITH(Money::ParseDecimal("92233720368547758.08", eur), "amount: overflows int64");
}

TEST_CASE("Split: largest remainder parts always sum to the whole", "[core][money]") {
    CHECK(AllocateLargestRemainder(100, {1, 1, 1}) == std::vector<std::int64_t>{34, 33, 33});
    CHECK(AllocateLargestRemainder(-100, {1, 1, 1}) == std::vector<std::int64_t>{-34, -33, -33});
    CHECK(AllocateLargestRemainder(10000, {1000, 300, 8700}) == std::vector<std::int64_t>{1000, 300, 8700});
    CHECK(AllocateLargestRemainder(0, {5, 5}) == std::vector<std::int64_t>{0, 0});
    CHECK(AllocateLargestRemainder(std::numeric_limits<std::int64_t>::max(), {1, 1}) ==
          std::vector<std::int64_t>{4611686018427387904LL, 4611686018427387903LL});

    const auto seed = Catch::rngSeed();
    std::mt19937_64 rng(seed);
    INFO("seed " << seed);
    for (int round = 0; round < 2000; ++round) {
        const std::int64_t total = static_cast<std::int64_t>(rng() % 100'000'000) - 1'000'000;
        std::vector<std::int64_t> weights(1 + rng() % 12);
        for (auto& w : weights) w = static_cast<std::int64_t>(rng() % 10'000);
        weights[0] += 1;
        const auto parts = AllocateLargestRemainder(total, weights);
        REQUIRE(std::accumulate(parts.begin(), parts.end(), std::int64_t{0}) == total);
    }
}

TEST_CASE("Split: bad weights are rejected", "[core][money]") {
    CHECK_THROWS_WITH(AllocateLargestRemainder(10, {}), "weights: must not be empty");
    CHECK_THROWS_WITH(AllocateLargestRemainder(10, {1, -1}), "weights[1]: must be >= 0");
    CHECK_THROWS_WITH(AllocateLargestRemainder(10, {0, 0}), "weights: must have a positive sum");
}

TEST_CASE("Basis points: a fee rounds down and the rest is exact", "[core][money]") {
    CHECK(BasisPointsOf(10000, 1000) == 1000);
    CHECK(BasisPointsOf(999, 1000) == 99);
    CHECK(BasisPointsOf(std::numeric_limits<std::int64_t>::max(), 10000) == std::numeric_limits<std::int64_t>::max());
    CHECK_THROWS_AS(BasisPointsOf(1, 10001), InvalidArgument);
}
