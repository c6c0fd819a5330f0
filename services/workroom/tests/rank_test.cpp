// Lexicographic ranks: always one strictly between two neighbours, whatever the order of inserts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "domain/rank.hpp"

using namespace marketplace::workroom;

TEST_CASE("Rank: between two neighbours, before the first and after the last", "[workroom]") {
    const auto first = RankBetween("", "");
    CHECK(IsRank(first));
    const auto before = RankBetween("", first);
    const auto after = RankBetween(first, "");
    CHECK(before < first);
    CHECK(first < after);
    const auto mid = RankBetween(before, first);
    CHECK(before < mid);
    CHECK(mid < first);
    CHECK(RankBetween("1", "2") > "1");
    CHECK(RankBetween("1", "2") < "2");
    CHECK_THROWS_AS(RankBetween("5", "5"), std::invalid_argument);
    CHECK_THROWS_AS(RankBetween("a0", ""), std::invalid_argument);
}

TEST_CASE("Rank: thousands of inserts at random places keep a strict order, in short strings", "[workroom]") {
    const unsigned seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    std::vector<std::string> ranks;
    for (int i = 0; i < 3000; ++i) {
        const std::size_t at = ranks.empty() ? 0 : std::uniform_int_distribution<std::size_t>(0, ranks.size())(rng);
        const std::string low = at == 0 ? "" : ranks[at - 1];
        const std::string high = at == ranks.size() ? "" : ranks[at];
        const auto r = RankBetween(low, high);
        REQUIRE(IsRank(r));
        if (!low.empty()) REQUIRE(low < r);
        if (!high.empty()) REQUIRE(r < high);
        ranks.insert(ranks.begin() + static_cast<std::ptrdiff_t>(at), r);
    }
    CHECK(std::is_sorted(ranks.begin(), ranks.end()));
    CHECK(std::adjacent_find(ranks.begin(), ranks.end()) == ranks.end());
    // Always inserting at the same place grows ranks by about one character per 5 inserts at most.
    std::string low, high = RankBetween("", "");
    for (int i = 0; i < 200; ++i) high = RankBetween(low, high);
    CHECK(high.size() <= 64);
}
