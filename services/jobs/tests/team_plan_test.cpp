// A clan's team plan and split against the clan's roster (domain/team_plan.hpp): every error names
// the field, and the member pool is the 87% part of the total by largest remainder.
#include <catch2/catch.hpp>

#include "domain/team_plan.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace::jobs;
namespace core = marketplace::core;

namespace {

const core::Currency kEur = core::Currency::Parse("EUR");

ClanRoster Roster() {
    ClanRoster r;
    r.clan_id = "clan";
    r.roles = {{"h", "head"}, {"c", "co_head"}, {"a", "admin"}, {"m", "member"}, {"n", "member"}};
    r.head_id = "h";
    return r;
}

std::vector<TeamMemberInput> Team() {
    return {{"a", "Backend", 40, {"API"}}, {"m", "Frontend", 30, {"UI", "Docs"}}, {"n", "QA", 10, {"Tests"}}};
}

std::vector<SplitShareInput> Bps(int a, int m, int n) { return {{"a", a, {}}, {"m", m, {}}, {"n", n, {}}}; }

std::string FieldOf(const std::vector<TeamMemberInput>& team, const std::vector<SplitShareInput>& split,
                    const std::string& submitter = "a") {
    try {
        ValidateTeamPlan(team, split, core::Money(100000, kEur), Roster(), submitter);
    } catch (const core::InvalidArgument& e) {
        return e.field();
    }
    return "none";
}

}  // namespace

TEST_CASE("Team plan: the member pool is 87% of the amount by largest remainder", "[jobs]") {
    CHECK(MemberPool(100000) == 87000);
    CHECK(MemberPool(1) == 1);  // 0.1 / 0.03 / 0.87: the largest remainder wins the cent
    CHECK(MemberPool(0) == 0);
    for (std::int64_t amount : {7, 99, 1001, 123457, 999999999}) {
        const auto parts = core::AllocateLargestRemainder(amount, {1000, 300, 8700});
        CHECK(parts[0] + parts[1] + parts[2] == amount);
        CHECK(MemberPool(amount) == parts[2]);
    }
}

TEST_CASE("Team plan: a complete split by basis points or by amounts is accepted", "[jobs]") {
    const auto plan = ValidateTeamPlan(Team(), Bps(5000, 3000, 2000), core::Money(100000, kEur), Roster(), "h");
    CHECK(plan.mode == SplitMode::kBasisPoints);
    REQUIRE(plan.shares.size() == 3);
    CHECK(plan.shares[1].user_id == "m");
    CHECK(plan.shares[1].weight == 3000);
    CHECK(plan.member_pool == 87000);
    // By amounts, in any order, summing to the pool.
    std::vector<SplitShareInput> fixed = {{"n", 0, MoneyInput::Of(7000, "EUR")},
                                          {"a", 0, MoneyInput::Of(50000, "EUR")},
                                          {"m", 0, MoneyInput::Of(30000, "EUR")}};
    const auto by_amount = ValidateTeamPlan(Team(), fixed, core::Money(100000, kEur), Roster(), "c");
    CHECK(by_amount.mode == SplitMode::kFixedAmounts);
    CHECK(by_amount.shares[0].weight == 50000);
    CHECK(by_amount.shares[2].weight == 7000);
}

TEST_CASE("Team plan: only HEAD, CO_HEAD or ADMIN applies; members current, none twice; errors name the field",
          "[jobs]") {
    CHECK_THROWS_AS(ValidateTeamPlan(Team(), Bps(5000, 3000, 2000), core::Money(100000, kEur), Roster(), "m"),
                    core::PermissionDenied);
    CHECK_THROWS_AS(ValidateTeamPlan(Team(), Bps(5000, 3000, 2000), core::Money(100000, kEur), Roster(), "stranger"),
                    core::PermissionDenied);
    auto archived = Roster();
    archived.archived = true;
    CHECK_THROWS_AS(ValidateTeamPlan(Team(), Bps(5000, 3000, 2000), core::Money(100000, kEur), archived, "h"),
                    core::FailedPrecondition);

    CHECK(FieldOf({}, {}) == "team");
    auto outsider = Team();
    outsider[2].user_id = "x";
    CHECK(FieldOf(outsider, Bps(5000, 3000, 2000)) == "team[2].user_id");
    auto twice = Team();
    twice[2].user_id = "a";
    CHECK(FieldOf(twice, Bps(5000, 3000, 2000)) == "team[2].user_id");
    auto no_role = Team();
    no_role[1].role = " ";
    CHECK(FieldOf(no_role, Bps(5000, 3000, 2000)) == "team[1].role");
    auto no_hours = Team();
    no_hours[0].hours = 0;
    CHECK(FieldOf(no_hours, Bps(5000, 3000, 2000)) == "team[0].hours");
    auto nothing = Team();
    nothing[0].deliverables.clear();
    CHECK(FieldOf(nothing, Bps(5000, 3000, 2000)) == "team[0].deliverables");

    CHECK(FieldOf(Team(), {}) == "split");
    CHECK(FieldOf(Team(), Bps(5000, 3000, 1900)) == "split");               // sums to 9900
    CHECK(FieldOf(Team(), {{"a", 5000, {}}, {"m", 5000, {}}}) == "split");  // n has no share
    CHECK(FieldOf(Team(), {{"a", 5000, {}}, {"a", 3000, {}}, {"n", 2000, {}}}) == "split[1].user_id");
    CHECK(FieldOf(Team(), {{"a", 5000, {}}, {"x", 3000, {}}, {"n", 2000, {}}}) == "split[1].user_id");
    CHECK(FieldOf(Team(), {{"a", 0, {}}, {"m", 8000, {}}, {"n", 2000, {}}}) == "split[0].share_bps");
    CHECK(FieldOf(Team(), {{"a", 5000, {}}, {"m", 0, MoneyInput::Of(30000, "EUR")}, {"n", 2000, {}}}) == "split[1]");
    CHECK(FieldOf(Team(), {{"a", 0, MoneyInput::Of(50000, "EUR")},
                           {"m", 0, MoneyInput::Of(30000, "EUR")},
                           {"n", 0, MoneyInput::Of(6999, "EUR")}}) == "split");  // one cent short of the pool
    CHECK(FieldOf(Team(), {{"a", 0, MoneyInput::Of(50000, "USD")},
                           {"m", 0, MoneyInput::Of(30000, "EUR")},
                           {"n", 0, MoneyInput::Of(7000, "EUR")}}) == "split[0].amount");
}
