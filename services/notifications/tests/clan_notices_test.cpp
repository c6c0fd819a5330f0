// What clans' events tell whom (events/clan_notices.hpp): members named in a plan when it locks or
// changes, the client asked to approve a new version, the proposer of a rejected one, the members when
// a departure leaves a plan needing a new version, and the assignee of a task.
#include <catch2/catch.hpp>

#include "events/clan_notices.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::notifications;

namespace {

std::vector<std::string> Users(const Notice& n) { return RecipientUsers(n, std::nullopt); }

clans::v1::PayoutSplitLocked Locked(int version) {
    clans::v1::PayoutSplitLocked e;
    e.set_clan_id("clan-1");
    e.set_clan_name("Night Owls");
    e.set_proposal_id("p-1");
    e.set_version(version);
    e.set_leader_id("h");
    for (const char* u : {"h", "m1", "m2"}) e.add_shares()->set_user_id(u);
    return e;
}

}  // namespace

TEST_CASE("Clan notices: a locked plan tells the leader and every member named, once each", "[notifications]") {
    const auto v1 = NoticesOf(Locked(1));
    REQUIRE(v1.size() == 1);
    CHECK(v1[0].kind == "clan.plan_locked");
    CHECK(v1[0].title == "The payout plan of Night Owls is locked: you are named in version 1");
    CHECK(Users(v1[0]) == std::vector<std::string>{"h", "m1", "m2"});
    CHECK_FALSE(v1[0].NeedsContract());
    auto changed = Locked(2);
    changed.set_leader_id("new-head");
    changed.set_contract_id("k-1");
    const auto v2 = NoticesOf(changed);
    REQUIRE(v2.size() == 1);
    CHECK(v2[0].kind == "clan.plan_changed");
    CHECK(v2[0].contract_id == "k-1");
    CHECK(Users(v2[0]) == std::vector<std::string>{"new-head", "h", "m1", "m2"});
    auto bad = Locked(1);
    bad.clear_proposal_id();
    CHECK_THROWS_AS(NoticesOf(bad), core::InvalidArgument);
}

TEST_CASE("Clan notices: a proposed version asks the client and tells the members named", "[notifications]") {
    clans::v1::PayoutPlanVersionProposed e;
    e.set_clan_name("Night Owls");
    e.set_client_id("client-1");
    e.set_contract_id("k-1");
    e.set_version(2);
    e.add_member_ids("h");
    e.add_member_ids("m1");
    const auto n = NoticesOf(e);
    REQUIRE(n.size() == 2);
    CHECK(n[0].kind == "clan.plan_version_proposed");
    CHECK(Users(n[0]) == std::vector<std::string>{"client-1"});
    CHECK(n[0].title == "Night Owls proposes version 2 of its payout plan on your contract: approve or reject it");
    CHECK(n[1].kind == "clan.plan_version_named");
    CHECK(Users(n[1]) == std::vector<std::string>{"h", "m1"});
}

TEST_CASE("Clan notices: a rejected or stale version tells its proposer; a departure tells the members",
          "[notifications]") {
    clans::v1::PayoutPlanVersionRejected r;
    r.set_clan_name("Night Owls");
    r.set_version(3);
    r.set_outcome("rejected");
    r.set_reason("Too little for the backend");
    r.set_proposed_by("a");
    const auto rejected = NoticesOf(r);
    REQUIRE(rejected.size() == 1);
    CHECK(Users(rejected[0]) == std::vector<std::string>{"a"});
    CHECK(rejected[0].title ==
          "Version 3 of the payout plan of Night Owls was rejected by the client: Too little for the backend");

    clans::v1::PayoutPlanNeedsVersion gone;
    gone.set_clan_name("Night Owls");
    gone.set_departed_user_id("m2");
    gone.set_how("left");
    gone.add_member_ids("h");
    gone.add_member_ids("m1");
    const auto needs = NoticesOf(gone);
    REQUIRE(needs.size() == 1);
    CHECK(needs[0].kind == "clan.plan_needs_version");
    CHECK(Users(needs[0]) == std::vector<std::string>{"h", "m1"});
    CHECK(needs[0].title == "A member named in a payout plan of Night Owls left: the plan needs a new version");
}

TEST_CASE("Clan notices: a task tells its assignee when assigned, and nobody otherwise", "[notifications]") {
    clans::v1::ClanTaskCreated created;
    created.set_task_id("t-1");
    created.set_clan_name("Night Owls");
    created.set_title("Login endpoint");
    CHECK(NoticesOf(created).empty());  // nobody assigned yet
    created.set_assignee_id("m1");
    const auto n = NoticesOf(created);
    REQUIRE(n.size() == 1);
    CHECK(n[0].kind == "clan.task_assigned");
    CHECK(Users(n[0]) == std::vector<std::string>{"m1"});
    CHECK(n[0].title == "A task of Night Owls is assigned to you: Login endpoint");

    clans::v1::ClanTaskChanged moved;
    moved.set_task_id("t-1");
    moved.set_assignee_id("m1");
    moved.set_previous_assignee_id("m1");
    moved.set_status("review");
    CHECK(NoticesOf(moved).empty());  // a status change tells nobody new
    moved.set_assignee_id("m2");
    REQUIRE(NoticesOf(moved).size() == 1);
    CHECK(Users(NoticesOf(moved)[0]) == std::vector<std::string>{"m2"});
}

TEST_CASE("Clan notices: a clan's application tells every member its plan names; a freelancer's tells nobody",
          "[notifications]") {
    jobs::v1::ProposalSubmitted e;
    e.set_proposal_id("p-1");
    e.set_freelancer_id("f-1");
    e.set_job_title("Shop");
    CHECK(NoticesOf(e).empty());
    e.set_freelancer_id("clan-1");
    e.set_clan_id("clan-1");
    e.add_clan_member_ids("h");
    e.add_clan_member_ids("m1");
    const auto n = NoticesOf(e);
    REQUIRE(n.size() == 1);
    CHECK(n[0].kind == "clan.application_named");
    CHECK(Users(n[0]) == std::vector<std::string>{"h", "m1"});
    CHECK(
        n[0].title ==
        "Your clan applied to \"Shop\" with a plan that names you: agree to your part so the client can hire the clan");
}
