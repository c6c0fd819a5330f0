#include <catch2/catch.hpp>

#include <set>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"

using namespace marketplace::core;

TEST_CASE("Ids: v4 and v7 UUIDs are well formed and unique", "[core][ids]") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto a = NewUuidV4();
        const auto b = NewUuidV7();
        REQUIRE(IsUuid(a));
        REQUIRE(IsUuid(b));
        CHECK(a[14] == '4');
        CHECK(b[14] == '7');
        CHECK((a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b'));
        REQUIRE(seen.insert(a).second);
        REQUIRE(seen.insert(b).second);
    }
}

TEST_CASE("Ids: v7 UUIDs made one after another sort in creation order", "[core][ids]") {
    std::string previous = NewUuidV7();
    for (int i = 0; i < 10000; ++i) {
        const auto next = NewUuidV7();
        REQUIRE(previous < next);
        previous = next;
    }
}

TEST_CASE("Ids: malformed UUIDs are rejected naming the field", "[core][ids]") {
    CHECK_FALSE(IsUuid(""));
    CHECK_FALSE(IsUuid("not-a-uuid"));
    CHECK_FALSE(IsUuid("0190f0f0-0000-7000-8000-00000000000g"));
    CHECK_FALSE(IsUuid("0190f0f0a0000-7000-8000-000000000000"));
    CHECK(IsUuid("0190F0F0-0000-7000-8000-000000000000"));
    CHECK_THROWS_WITH(RequireUuid("x", "contract_id"), "contract_id: must be a UUID");
    CHECK(RandomHex(8).size() == 16);
}
