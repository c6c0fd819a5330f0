// New versions of a clan's payout plan as the pure rules check them (domain/plan_version.hpp): who
// proposes, stale base versions, and each field of the team and the split named on error.
#include <catch2/catch.hpp>

#include <functional>

#include "domain/plan_version.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace::clans;
namespace core = marketplace::core;

namespace {

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'800'000'000));

Actor Freelancer(const std::string& id) { return Actor{id, "freelancer"}; }

/// A clan with head h, co_head c, admin a, member m.
Clan Team() {
    Clan clan = CreateClan({"Night Owls", "night-owls", "We ship.", {"C++"}}, Freelancer("h"), "clan-1", kT0);
    const auto join = [&](const std::string& user, std::optional<Role> role) {
        clan = Decide(clan, command::Invite{user}, Freelancer("h"), kT0).clan;
        clan = Decide(clan, command::RespondToInvitation{true}, Freelancer(user), kT0).clan;
        if (role) clan = Decide(clan, command::SetRole{user, role}, Freelancer("h"), kT0).clan;
    };
    join("c", Role::kCoHead);
    join("a", Role::kAdmin);
    join("m", std::nullopt);
    return clan;
}

const VersionInForce kBps{1, "bps", {{"h", "Lead", 5000}, {"m", "Dev", 5000}}};
const VersionInForce kFixed{2, "fixed", {{"h", "Lead", 30000}, {"m", "Dev", 57000}}};

std::vector<PlanTeamInput> TeamOf(const std::vector<std::string>& ids) {
    std::vector<PlanTeamInput> out;
    for (const auto& id : ids) out.push_back({id, "Engineer"});
    return out;
}

std::string FieldOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const core::InvalidArgument& e) {
        return e.field();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("Plan version: HEAD, CO_HEAD and ADMIN propose; a MEMBER or an outsider cannot", "[clans]") {
    const Clan clan = Team();
    const auto split = std::vector<PlanSplitInput>{{"c", 3000}, {"m", 7000}};
    for (const char* who : {"h", "c", "a"}) {
        const auto shares = ValidatePlanVersion(clan, Freelancer(who), kBps, 1, TeamOf({"c", "m"}), split, "");
        REQUIRE(shares.size() == 2);
        CHECK(shares[0].user_id == "c");
        CHECK(shares[1].weight == 7000);
        CHECK(shares[1].role == "Engineer");
    }
    for (const char* who : {"m", "stranger"}) {
        CHECK_THROWS_AS(ValidatePlanVersion(clan, Freelancer(who), kBps, 1, TeamOf({"c", "m"}), split, ""),
                        core::PermissionDenied);
    }
}

TEST_CASE("Plan version: a stale base version is refused", "[clans]") {
    const Clan clan = Team();
    CHECK_THROWS_AS(ValidatePlanVersion(clan, Freelancer("h"), kBps, 0, TeamOf({"h"}), {{"h", 10000}}, ""),
                    core::FailedPrecondition);
    CHECK_THROWS_AS(ValidatePlanVersion(clan, Freelancer("h"), kFixed, 1, TeamOf({"h"}), {{"h", 87000}}, ""),
                    core::FailedPrecondition);
}

TEST_CASE("Plan version: every member current, nobody twice, the split complete, errors name the field", "[clans]") {
    const Clan clan = Team();
    const Actor h = Freelancer("h");
    const auto check = [&](const VersionInForce& v, const std::vector<PlanTeamInput>& team,
                           const std::vector<PlanSplitInput>& split) {
        return FieldOf([&] { ValidatePlanVersion(clan, h, v, v.version, team, split, ""); });
    };
    CHECK(check(kBps, {}, {}) == "team");
    CHECK(check(kBps, TeamOf({"h", "gone"}), {{"h", 5000}, {"gone", 5000}}) == "team[1].user_id");
    CHECK(check(kBps, TeamOf({"h", "m", "h"}), {{"h", 5000}, {"m", 5000}}) == "team[2].user_id");
    CHECK(check(kBps, {{"h", "  "}}, {{"h", 10000}}) == "team[0].role");
    CHECK(check(kBps, {{"h", std::string(81, 'r')}}, {{"h", 10000}}) == "team[0].role");
    CHECK(check(kBps, {{"h", "Lead\tdev"}}, {{"h", 10000}}) == "team[0].role");
    CHECK(check(kBps, TeamOf({"h", "m"}), {}) == "split");
    CHECK(check(kBps, TeamOf({"h", "m"}), {{"h", 5000}, {"a", 5000}}) == "split[1].user_id");
    CHECK(check(kBps, TeamOf({"h", "m"}), {{"h", 5000}, {"h", 5000}}) == "split[1].user_id");
    CHECK(check(kBps, TeamOf({"h", "m"}), {{"h", 10000}}) == "split");              // m has no share
    CHECK(check(kBps, TeamOf({"h", "m"}), {{"h", 5000}, {"m", 4900}}) == "split");  // 9900
    CHECK(check(kBps, TeamOf({"h", "m"}), {{"h", 0}, {"m", 10000}}) == "split[0].weight");
    CHECK(check(kBps, TeamOf({"h", "m"}), {{"h", 10001}, {"m", 1}}) == "split[0].weight");
    // Fixed amounts keep the version in force's total (87000 minor units here).
    CHECK(check(kFixed, TeamOf({"h", "m"}), {{"h", 30000}, {"m", 56999}}) == "split");
    CHECK(ValidatePlanVersion(clan, h, kFixed, 2, TeamOf({"h", "m"}), {{"h", 27000}, {"m", 60000}}, "").size() == 2);
    CHECK(FieldOf([&] {
              ValidatePlanVersion(clan, h, kBps, 1, TeamOf({"h"}), {{"h", 10000}}, std::string(1001, 'n'));
          }) == "note");
}

TEST_CASE("Plan version: the members and the leader a plan names who left are departed", "[clans]") {
    Clan clan = Team();
    clan = Decide(clan, command::Leave{}, Freelancer("m"), kT0).clan;
    const std::vector<PlanShare> shares{{"h", "Lead", 5000}, {"m", "Dev", 5000}};
    CHECK(DepartedMembers(clan, {{"h", "Lead", 5000}, {"c", "Dev", 5000}}, "h").empty());
    CHECK(DepartedMembers(clan, shares, "h") == std::vector<std::string>{"m"});
    CHECK(DepartedMembers(clan, shares, "x") == std::vector<std::string>{"x", "m"});
    CHECK(DepartedMembers(clan, shares, "") == std::vector<std::string>{"m"});
}
