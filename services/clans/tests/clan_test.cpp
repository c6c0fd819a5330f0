// The clan's membership rules as the pure decider applies them (domain/clan.hpp).
#include <catch2/catch.hpp>

#include "domain/clan.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace::clans;
namespace core = marketplace::core;

namespace {

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'800'000'000));

Actor Freelancer(const std::string& id) { return Actor{id, "freelancer"}; }

/// A clan with head h, co_head c, admin a, member m.
Clan Team() {
    Clan clan = CreateClan({"Night Owls", "night-owls", "We ship.", {"C++", "Go"}}, Freelancer("h"), "clan-1", kT0);
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

Role RoleOf(const Clan& clan, const std::string& user) { return clan.FindMember(user)->role; }

template <typename Error>
void RequireThrows(const Clan& clan, const Command& c, const Actor& actor) {
    CHECK_THROWS_AS(Decide(clan, c, actor, kT0), Error);
}

}  // namespace

TEST_CASE("Clan: the creator is HEAD; the input is validated field by field", "[clans]") {
    const Clan clan =
        CreateClan({" Night Owls ", "Night-Owls", "", {"C++", " c++ ", "Go"}}, Freelancer("h"), "clan-1", kT0);
    CHECK(clan.name == "Night Owls");
    CHECK(clan.handle == "night-owls");
    CHECK(clan.skills == std::vector<std::string>{"C++", "Go"});
    REQUIRE(clan.members.size() == 1);
    CHECK(clan.Head().user_id == "h");

    const auto field_of = [](const NewClanInput& in) {
        try {
            CreateClan(in, Freelancer("h"), "x", kT0);
        } catch (const core::InvalidArgument& e) {
            return e.field();
        }
        return std::string("none");
    };
    CHECK(field_of({"", "abc", "", {}}) == "name");
    CHECK(field_of({std::string(81, 'n'), "abc", "", {}}) == "name");
    CHECK(field_of({"n", "", "", {}}) == "handle");
    CHECK(field_of({"n", "ab", "", {}}) == "handle");
    CHECK(field_of({"n", "1abc", "", {}}) == "handle");
    CHECK(field_of({"n", "abc-", "", {}}) == "handle");
    CHECK(field_of({"n", "ab c", "", {}}) == "handle");
    CHECK(field_of({"n", "abc", std::string(2001, 'd'), {}}) == "description");
    CHECK(field_of({"n", "abc", "", {"go", " "}}) == "skills[1]");
    CHECK(field_of({"n", "abc", "", std::vector<std::string>(21, "x")}) == "skills");
    CHECK(field_of({"n", "abc", "", {std::string(41, 's')}}) == "skills[0]");
    CHECK_THROWS_AS(CreateClan({"n", "abc", "", {}}, Actor{"c", "client"}, "x", kT0), core::PermissionDenied);
}

TEST_CASE("Clan: invitations and join requests", "[clans]") {
    Clan clan = Team();
    CHECK(clan.members.size() == 4);
    CHECK(clan.members.front().user_id == "h");
    const auto v = clan.members_version;

    SECTION("managers invite; a MEMBER or an outsider cannot") {
        CHECK(Decide(clan, command::Invite{"x"}, Freelancer("a"), kT0).changes.at(0).kind == Change::Kind::kInvited);
        CHECK(Decide(clan, command::Invite{"x"}, Freelancer("c"), kT0).clan.invitations.size() == 1);
        RequireThrows<core::PermissionDenied>(clan, command::Invite{"x"}, Freelancer("m"));
        RequireThrows<core::PermissionDenied>(clan, command::Invite{"x"}, Freelancer("outsider"));
        RequireThrows<core::Conflict>(clan, command::Invite{"m"}, Freelancer("h"));
        RequireThrows<core::InvalidArgument>(clan, command::Invite{""}, Freelancer("h"));
    }
    SECTION("an invitation is accepted or declined by the invited user only") {
        clan = Decide(clan, command::Invite{"x"}, Freelancer("a"), kT0).clan;
        RequireThrows<core::Conflict>(clan, command::Invite{"x"}, Freelancer("h"));
        RequireThrows<core::NotFound>(clan, command::RespondToInvitation{true}, Freelancer("y"));
        const auto declined = Decide(clan, command::RespondToInvitation{false}, Freelancer("x"), kT0);
        CHECK(declined.clan.invitations.empty());
        CHECK(declined.clan.FindMember("x") == nullptr);
        CHECK(declined.clan.members_version == v);
        const auto joined = Decide(clan, command::RespondToInvitation{true}, Freelancer("x"), kT0);
        CHECK(RoleOf(joined.clan, "x") == Role::kMember);
        CHECK(joined.clan.members_version == v + 1);
        RequireThrows<core::PermissionDenied>(clan, command::RespondToInvitation{true}, Actor{"x", "client"});
    }
    SECTION("a join request is decided by a manager") {
        RequireThrows<core::PermissionDenied>(clan, command::RequestToJoin{}, Actor{"k", "client"});
        RequireThrows<core::Conflict>(clan, command::RequestToJoin{}, Freelancer("m"));
        RequireThrows<core::InvalidArgument>(clan, command::RequestToJoin{std::string(1001, 'x')}, Freelancer("y"));
        clan = Decide(clan, command::RequestToJoin{"hi"}, Freelancer("y"), kT0).clan;
        RequireThrows<core::Conflict>(clan, command::RequestToJoin{}, Freelancer("y"));
        RequireThrows<core::PermissionDenied>(clan, command::DecideJoinRequest{"y", true}, Freelancer("m"));
        RequireThrows<core::PermissionDenied>(clan, command::DecideJoinRequest{"y", true}, Freelancer("y"));
        RequireThrows<core::NotFound>(clan, command::DecideJoinRequest{"z", true}, Freelancer("a"));
        CHECK(Decide(clan, command::DecideJoinRequest{"y", false}, Freelancer("a"), kT0).clan.FindMember("y") ==
              nullptr);
        CHECK(RoleOf(Decide(clan, command::DecideJoinRequest{"y", true}, Freelancer("a"), kT0).clan, "y") ==
              Role::kMember);
        // An invitation answers a pending request at once.
        CHECK(RoleOf(Decide(clan, command::Invite{"y"}, Freelancer("c"), kT0).clan, "y") == Role::kMember);
    }
}

TEST_CASE("Clan: roles change only by HEAD or CO_HEAD, and never to HEAD", "[clans]") {
    const Clan clan = Team();
    CHECK(RoleOf(clan, "c") == Role::kCoHead);
    CHECK(RoleOf(clan, "a") == Role::kAdmin);
    CHECK(RoleOf(Decide(clan, command::SetRole{"m", Role::kAdmin}, Freelancer("h"), kT0).clan, "m") == Role::kAdmin);
    CHECK(RoleOf(Decide(clan, command::SetRole{"c", Role::kMember}, Freelancer("h"), kT0).clan, "c") == Role::kMember);
    CHECK(RoleOf(Decide(clan, command::SetRole{"m", Role::kAdmin}, Freelancer("c"), kT0).clan, "m") == Role::kAdmin);
    CHECK(RoleOf(Decide(clan, command::SetRole{"a", Role::kMember}, Freelancer("c"), kT0).clan, "a") == Role::kMember);
    // CO_HEAD neither promotes to CO_HEAD nor touches the HEAD or another CO_HEAD.
    RequireThrows<core::PermissionDenied>(clan, command::SetRole{"m", Role::kCoHead}, Freelancer("c"));
    RequireThrows<core::PermissionDenied>(clan, command::SetRole{"h", Role::kMember}, Freelancer("c"));
    // ADMIN and MEMBER change no roles; nobody sets HEAD.
    RequireThrows<core::PermissionDenied>(clan, command::SetRole{"m", Role::kAdmin}, Freelancer("a"));
    RequireThrows<core::PermissionDenied>(clan, command::SetRole{"a", Role::kMember}, Freelancer("m"));
    RequireThrows<core::PermissionDenied>(clan, command::SetRole{"m", Role::kAdmin}, Freelancer("outsider"));
    RequireThrows<core::InvalidArgument>(clan, command::SetRole{"m", Role::kHead}, Freelancer("h"));
    RequireThrows<core::InvalidArgument>(clan, command::SetRole{"m", std::nullopt}, Freelancer("h"));
    RequireThrows<core::InvalidArgument>(clan, command::SetRole{"h", Role::kMember}, Freelancer("h"));
    RequireThrows<core::NotFound>(clan, command::SetRole{"nobody", Role::kAdmin}, Freelancer("h"));
    RequireThrows<core::FailedPrecondition>(clan, command::SetRole{"a", Role::kAdmin}, Freelancer("h"));
}

TEST_CASE("Clan: headship is transferred, the old HEAD becomes CO_HEAD; the HEAD cannot leave", "[clans]") {
    const Clan clan = Team();
    RequireThrows<core::FailedPrecondition>(clan, command::Leave{}, Freelancer("h"));
    RequireThrows<core::PermissionDenied>(clan, command::TransferHeadship{"m"}, Freelancer("c"));
    RequireThrows<core::NotFound>(clan, command::TransferHeadship{"nobody"}, Freelancer("h"));
    const auto d = Decide(clan, command::TransferHeadship{"m"}, Freelancer("h"), kT0);
    CHECK(d.clan.Head().user_id == "m");
    CHECK(RoleOf(d.clan, "h") == Role::kCoHead);
    CHECK(d.clan.members.front().user_id == "m");
    CHECK(d.clan.members_version == clan.members_version + 1);
    CHECK(std::count_if(d.clan.members.begin(), d.clan.members.end(),
                        [](const Member& m) { return m.role == Role::kHead; }) == 1);
    const auto left = Decide(d.clan, command::Leave{}, Freelancer("h"), kT0);
    CHECK(left.clan.FindMember("h") == nullptr);
    CHECK(left.changes.at(0).kind == Change::Kind::kLeft);
}

TEST_CASE("Clan: who removes whom", "[clans]") {
    const Clan clan = Team();
    for (const char* target : {"c", "a", "m"}) {
        CHECK(Decide(clan, command::Remove{target}, Freelancer("h"), kT0).clan.FindMember(target) == nullptr);
    }
    CHECK(Decide(clan, command::Remove{"a"}, Freelancer("c"), kT0).clan.FindMember("a") == nullptr);
    CHECK(Decide(clan, command::Remove{"m"}, Freelancer("a"), kT0).changes.at(0).kind == Change::Kind::kRemoved);
    RequireThrows<core::PermissionDenied>(clan, command::Remove{"h"}, Freelancer("c"));
    RequireThrows<core::PermissionDenied>(clan, command::Remove{"c"}, Freelancer("a"));
    RequireThrows<core::PermissionDenied>(clan, command::Remove{"a"}, Freelancer("m"));
    RequireThrows<core::PermissionDenied>(clan, command::Remove{"m"}, Freelancer("outsider"));
    RequireThrows<core::InvalidArgument>(clan, command::Remove{"h"}, Freelancer("h"));
    RequireThrows<core::NotFound>(clan, command::Remove{"nobody"}, Freelancer("h"));
}

TEST_CASE("Clan: archived only by the HEAD, never with an active contract or escrow; then read only", "[clans]") {
    const Clan clan = Team();
    RequireThrows<core::PermissionDenied>(clan, command::Archive{}, Freelancer("c"));
    RequireThrows<core::FailedPrecondition>(clan, command::Archive{{1, 0}}, Freelancer("h"));
    RequireThrows<core::FailedPrecondition>(clan, command::Archive{{0, 2}}, Freelancer("h"));
    const auto d = Decide(clan, command::Archive{}, Freelancer("h"), kT0);
    CHECK(d.clan.archived);
    CHECK(d.clan.members.size() == 4);  // its history stays
    RequireThrows<core::FailedPrecondition>(d.clan, command::Invite{"x"}, Freelancer("h"));
    RequireThrows<core::FailedPrecondition>(d.clan, command::Leave{}, Freelancer("m"));
    RequireThrows<core::FailedPrecondition>(d.clan, command::Archive{}, Freelancer("h"));
}
