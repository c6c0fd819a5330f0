// New versions of a hired clan's payout plan over real gRPC on real PostgreSQL: the clan proposes,
// the contract's client approves or rejects, one proposal waits at a time, stale ones are refused, a
// member who leaves flags the plan and voids the proposals naming them, and a headship transfer
// leaves the leader of the version in force alone.
#include <catch2/catch.hpp>

#include <pqxx/pqxx>
#include <set>

#include "clans_fixture.hpp"
#include "marketplace/clans/v1/events.pb.h"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "marketplace/jobs/v1/events.pb.h"
#include "marketplace/payments/v1/events.pb.h"

using namespace marketplace::clans;
using namespace marketplace::clans::testing;
namespace core = marketplace::core;

namespace {

std::string NewUser() { return core::NewUuidV4(); }

template <typename Call>
grpc::Status Do(const std::string& who, const std::string& role, Call call) {
    auto ctx = Context(who, role);
    return call(ctx.get());
}

/// A clan of HEAD h, ADMIN a and MEMBERs m1 and m2, hired by client on a contract of two milestones.
struct Hired {
    std::string clan_id, h, a, m1, m2, client, proposal_id, contract_id, milestone1, milestone2;
};

Hired Hire() {
    Hired w{"",        NewUser(),         NewUser(),         NewUser(),         NewUser(),
            NewUser(), core::NewUuidV7(), core::NewUuidV7(), core::NewUuidV7(), core::NewUuidV7()};
    v1::CreateClanRequest create;
    create.set_name("Plan clan");
    create.set_handle("p" + core::NewUuidV4().substr(0, 8));
    v1::CreateClanResponse created;
    REQUIRE(Do(w.h, "freelancer", [&](auto* c) { return F().stub->CreateClan(c, create, &created); }).ok());
    w.clan_id = created.clan().clan_id();
    for (const auto& u : {w.a, w.m1, w.m2}) {
        v1::InviteMemberRequest inv;
        inv.set_clan_id(w.clan_id);
        inv.set_user_id(u);
        v1::InviteMemberResponse ir;
        REQUIRE(Do(w.h, "freelancer", [&](auto* c) { return F().stub->InviteMember(c, inv, &ir); }).ok());
        v1::RespondToInvitationRequest rr;
        rr.set_clan_id(w.clan_id);
        rr.set_accept(true);
        v1::RespondToInvitationResponse rp;
        REQUIRE(Do(u, "freelancer", [&](auto* c) { return F().stub->RespondToInvitation(c, rr, &rp); }).ok());
    }
    v1::SetMemberRoleRequest sr;
    sr.set_clan_id(w.clan_id);
    sr.set_user_id(w.a);
    sr.set_role(v1::ROLE_ADMIN);
    v1::SetMemberRoleResponse sp;
    REQUIRE(Do(w.h, "freelancer", [&](auto* c) { return F().stub->SetMemberRole(c, sr, &sp); }).ok());

    marketplace::jobs::v1::ProposalAccepted accepted;
    accepted.set_proposal_id(w.proposal_id);
    accepted.set_client_id(w.client);
    accepted.set_freelancer_id(w.clan_id);
    accepted.set_clan_id(w.clan_id);
    accepted.set_clan_leader_id(w.h);
    accepted.set_split_mode("bps");
    for (const auto& [user, bps] : std::vector<std::pair<std::string, int>>{{w.h, 4000}, {w.m1, 3000}, {w.m2, 3000}}) {
        auto* s = accepted.add_clan_shares();
        s->set_user_id(user);
        s->set_role("Engineer");
        s->set_weight(bps);
    }
    Deliver(accepted);
    marketplace::contracts::v1::ContractCreated contract;
    contract.set_contract_id(w.contract_id);
    contract.set_proposal_id(w.proposal_id);
    contract.set_client_id(w.client);
    contract.set_freelancer_id(w.clan_id);
    contract.add_milestone_ids(w.milestone1);
    contract.add_milestone_ids(w.milestone2);
    Deliver(contract);
    return w;
}

v1::ProposePlanVersionRequest Proposal(const Hired& w, int base_version,
                                       const std::vector<std::pair<std::string, int>>& shares) {
    v1::ProposePlanVersionRequest req;
    req.set_clan_id(w.clan_id);
    req.set_proposal_id(w.proposal_id);
    req.set_base_version(base_version);
    for (const auto& [user, weight] : shares) {
        auto* m = req.add_team();
        m->set_user_id(user);
        m->set_role("Engineer");
        auto* s = req.add_split();
        s->set_user_id(user);
        s->set_weight(weight);
    }
    req.set_note("Rebalanced after the first milestone.");
    return req;
}

grpc::Status Propose(const std::string& who, const v1::ProposePlanVersionRequest& req,
                     v1::ProposePlanVersionResponse* out = nullptr, std::string* field = nullptr) {
    v1::ProposePlanVersionResponse resp;
    auto ctx = Context(who);
    const auto s = F().stub->ProposePlanVersion(ctx.get(), req, &resp);
    if (out) *out = resp;
    if (field) *field = ErrorField(*ctx);
    return s;
}

grpc::Status Decide(const Hired& w, const std::string& who, int version, bool approve,
                    v1::DecidePlanVersionResponse* out = nullptr) {
    v1::DecidePlanVersionRequest req;
    req.set_clan_id(w.clan_id);
    req.set_proposal_id(w.proposal_id);
    req.set_version(version);
    req.set_approve(approve);
    if (!approve) req.set_reason("Not this split.");
    v1::DecidePlanVersionResponse resp;
    auto ctx = Context(who, who == w.client ? "client" : "freelancer");
    const auto s = F().stub->DecidePlanVersion(ctx.get(), req, &resp);
    if (out) *out = resp;
    return s;
}

std::vector<v1::PayoutPlan> Plans(const Hired& w, const std::string& who) {
    v1::ListPayoutPlansRequest req;
    req.set_clan_id(w.clan_id);
    v1::ListPayoutPlansResponse resp;
    auto ctx = Context(who);
    REQUIRE(F().stub->ListPayoutPlans(ctx.get(), req, &resp).ok());
    return {resp.plans().begin(), resp.plans().end()};
}

v1::PayoutPlan InForce(const Hired& w) {
    for (const auto& p : Plans(w, w.m1)) {  // m1 stays in every case
        if (p.in_force() && p.proposal_id() == w.proposal_id) return p;
    }
    FAIL("no version in force");
    return {};
}

grpc::Status Leave(const Hired& w, const std::string& who) {
    v1::LeaveClanRequest req;
    req.set_clan_id(w.clan_id);
    v1::LeaveClanResponse resp;
    auto ctx = Context(who);
    return F().stub->LeaveClan(ctx.get(), req, &resp);
}

}  // namespace

TEST_CASE("Plans: the clan proposes a new version, the client approves it, and it is locked as version 2",
          "[clans][pg]") {
    const Hired w = Hire();
    // The first milestone is released: the new version applies to the second only.
    marketplace::payments::v1::EscrowReleased released;
    released.set_milestone_id(w.milestone1);
    Deliver(released);

    const auto req = Proposal(w, 1, {{w.h, 3000}, {w.a, 2000}, {w.m1, 2500}, {w.m2, 2500}});
    // A MEMBER, an outsider and the client cannot propose.
    for (const auto& who : {w.m1, NewUser(), w.client}) {
        CHECK(Propose(who, req).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    }
    // Errors name the field.
    {
        auto bad = req;
        bad.mutable_team(1)->set_user_id(NewUser());
        std::string field;
        CHECK(Propose(w.a, bad, nullptr, &field).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(field == "team[1].user_id");
        bad = req;
        bad.mutable_split(3)->set_weight(2400);
        CHECK(Propose(w.a, bad, nullptr, &field).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(field == "split");
        bad = req;
        bad.set_base_version(0);
        CHECK(Propose(w.a, bad).error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    }
    v1::ProposePlanVersionResponse proposed;
    REQUIRE(Propose(w.a, req, &proposed).ok());
    CHECK(proposed.proposal().version() == 2);
    CHECK(proposed.proposal().client_id() == w.client);
    CHECK(proposed.proposal().status() == v1::PLAN_PROPOSAL_STATUS_PENDING);
    CHECK(OutboxCount("PayoutPlanVersionProposed", w.clan_id) == 1);
    // One pending proposal at a time.
    CHECK(Propose(w.h, req).error_code() == grpc::StatusCode::FAILED_PRECONDITION);

    // Only the contract's client decides; a stale version number is refused.
    for (const auto& who : {w.h, w.a, w.m1, NewUser()}) {
        CHECK(Decide(w, who, 2, true).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    }
    CHECK(Decide(w, w.client, 3, true).error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    // The client sees the proposals of their contract; an outsider does not.
    {
        v1::ListPlanVersionProposalsRequest lr;
        lr.set_clan_id(w.clan_id);
        v1::ListPlanVersionProposalsResponse lp;
        auto ctx = Context(w.client, "client");
        REQUIRE(F().stub->ListPlanVersionProposals(ctx.get(), lr, &lp).ok());
        REQUIRE(lp.proposals_size() == 1);
        CHECK(lp.proposals(0).shares_size() == 4);
        auto other = Context(NewUser(), "client");
        CHECK(F().stub->ListPlanVersionProposals(other.get(), lr, &lp).error_code() ==
              grpc::StatusCode::PERMISSION_DENIED);
    }

    v1::DecidePlanVersionResponse decided;
    REQUIRE(Decide(w, w.client, 2, true, &decided).ok());
    CHECK(decided.proposal().status() == v1::PLAN_PROPOSAL_STATUS_APPROVED);
    CHECK(decided.plan().version() == 2);
    CHECK(decided.plan().approved_by() == w.client);
    CHECK(decided.plan().proposed_by() == w.a);
    CHECK(decided.plan().contract_id() == w.contract_id);
    REQUIRE(decided.plan().applies_to_milestone_ids_size() == 1);
    CHECK(decided.plan().applies_to_milestone_ids(0) == w.milestone2);
    CHECK(OutboxCount("PayoutSplitLocked", w.clan_id) == 2);
    // PayoutSplitLocked for version 2 carries the same proposal id, the approver and the contract.
    InTx([&](pqxx::work& tx) {
        const auto row = tx.exec_params1(
            "SELECT payload FROM outbox WHERE event_type = 'marketplace.clans.v1.PayoutSplitLocked' AND event_key = $1 "
            "ORDER BY id DESC LIMIT 1",
            w.clan_id);
        const pqxx::binarystring bytes(row[0]);
        v1::PayoutSplitLocked e;
        REQUIRE(e.ParseFromString(bytes.str()));
        CHECK(e.version() == 2);
        CHECK(e.proposal_id() == w.proposal_id);
        CHECK(e.approved_by() == w.client);
        CHECK(e.contract_id() == w.contract_id);
        CHECK(e.shares_size() == 4);
    });
    const auto plans = Plans(w, w.m2);
    REQUIRE(plans.size() == 2);
    const v1::PayoutPlan now = InForce(w);
    CHECK(now.version() == 2);
    CHECK(now.shares(1).user_id() == w.a);
    // The decided proposal cannot be decided again; a new one starts from version 2.
    CHECK(Decide(w, w.client, 2, true).error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(Propose(w.h, req).error_code() == grpc::StatusCode::FAILED_PRECONDITION);  // base 1 is stale
    REQUIRE(Propose(w.h, Proposal(w, 2, {{w.h, 5000}, {w.a, 5000}})).ok());
    v1::DecidePlanVersionResponse rejected;
    REQUIRE(Decide(w, w.client, 3, false, &rejected).ok());
    CHECK(rejected.proposal().status() == v1::PLAN_PROPOSAL_STATUS_REJECTED);
    CHECK(rejected.proposal().reason() == "Not this split.");
    CHECK_FALSE(rejected.has_plan());
    CHECK(InForce(w).version() == 2);
    CHECK(OutboxCount("PayoutPlanVersionRejected", w.clan_id) == 1);
}

TEST_CASE("Plans: a member named in the plan leaves, the plan is flagged, a version without them clears it",
          "[clans][pg]") {
    const Hired w = Hire();
    // A pending proposal naming m2 goes stale when m2 leaves.
    REQUIRE(Propose(w.h, Proposal(w, 1, {{w.h, 4000}, {w.m1, 3000}, {w.m2, 3000}})).ok());
    CHECK_FALSE(InForce(w).needs_new_version());

    REQUIRE(Leave(w, w.m2).ok());  // membership is the member's: leaving still works
    const v1::PayoutPlan flagged = InForce(w);
    CHECK(flagged.version() == 1);
    CHECK(flagged.needs_new_version());
    REQUIRE(flagged.departed_member_ids_size() == 1);
    CHECK(flagged.departed_member_ids(0) == w.m2);
    CHECK(OutboxCount("PayoutPlanNeedsVersion", w.clan_id) == 1);
    CHECK(Decide(w, w.client, 2, true).error_code() == grpc::StatusCode::NOT_FOUND);  // the proposal is stale
    {
        v1::ListPlanVersionProposalsRequest lr;
        lr.set_clan_id(w.clan_id);
        v1::ListPlanVersionProposalsResponse lp;
        auto ctx = Context(w.m1);
        REQUIRE(F().stub->ListPlanVersionProposals(ctx.get(), lr, &lp).ok());
        REQUIRE(lp.proposals_size() == 1);
        CHECK(lp.proposals(0).status() == v1::PLAN_PROPOSAL_STATUS_STALE);
    }
    // A member who is not named in the plan leaves: nothing more is flagged.
    REQUIRE(Leave(w, w.a).ok());
    CHECK(OutboxCount("PayoutPlanNeedsVersion", w.clan_id) == 1);

    // The departed member cannot be named again; a version without them is approved.
    std::string field;
    CHECK(Propose(w.h, Proposal(w, 1, {{w.h, 5000}, {w.m2, 5000}}), nullptr, &field).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(field == "team[1].user_id");
    REQUIRE(Propose(w.h, Proposal(w, 1, {{w.h, 5000}, {w.m1, 5000}})).ok());
    REQUIRE(Decide(w, w.client, 2, true).ok());
    const v1::PayoutPlan cleared = InForce(w);
    CHECK(cleared.version() == 2);
    CHECK_FALSE(cleared.needs_new_version());
    CHECK(cleared.departed_member_ids_size() == 0);
}

TEST_CASE("Plans: a headship transfer keeps the leader of the version in force; the next version names the new HEAD",
          "[clans][pg]") {
    const Hired w = Hire();
    v1::TransferHeadshipRequest tr;
    tr.set_clan_id(w.clan_id);
    tr.set_user_id(w.m1);
    v1::TransferHeadshipResponse tp;
    REQUIRE(Do(w.h, "freelancer", [&](auto* c) { return F().stub->TransferHeadship(c, tr, &tp); }).ok());
    CHECK(InForce(w).leader_id() == w.h);  // the commission of version 1 stays with the leader it names
    CHECK_FALSE(InForce(w).needs_new_version());

    REQUIRE(Propose(w.m1, Proposal(w, 1, {{w.h, 4000}, {w.m1, 3000}, {w.m2, 3000}})).ok());
    REQUIRE(Decide(w, w.client, 2, true).ok());
    CHECK(InForce(w).leader_id() == w.m1);

    // The former HEAD, the leader of version 1 only, leaves: version 2 names them as a member, so it is flagged.
    REQUIRE(Leave(w, w.h).ok());
    CHECK(InForce(w).needs_new_version());
}

TEST_CASE(
    "Plans: which version pays each milestone is contracts' decision; a version applies to what contracts "
    "paid by it",
    "[clans][pg]") {
    const Hired w = Hire();
    const auto accepted_under = [&](const std::string& milestone, int version) {
        marketplace::contracts::v1::MilestoneAccepted e;
        e.set_milestone_id(milestone);
        e.set_contract_id(w.contract_id);
        e.set_client_id(w.client);
        e.mutable_clan_split()->set_clan_id(w.clan_id);
        e.mutable_clan_split()->set_plan_version(version);
        Deliver(e);
    };
    const auto applies_to = [&](int version) {
        for (const auto& p : Plans(w, w.m1)) {
            if (p.version() == version) {
                return std::set<std::string>(p.applies_to_milestone_ids().begin(), p.applies_to_milestone_ids().end());
            }
        }
        FAIL("no version " << version);
        return std::set<std::string>{};
    };
    // contracts accepted the first milestone under version 1; its release has not reached clans yet.
    accepted_under(w.milestone1, 1);
    CHECK(applies_to(1) == std::set<std::string>{w.milestone1, w.milestone2});

    REQUIRE(Propose(w.h, Proposal(w, 1, {{w.h, 5000}, {w.m1, 2500}, {w.m2, 2500}})).ok());
    v1::DecidePlanVersionResponse decided;
    REQUIRE(Decide(w, w.client, 2, true, &decided).ok());
    // Version 2 applies to the milestone not yet accepted only, and version 1 keeps what it paid.
    CHECK(std::set<std::string>(decided.plan().applies_to_milestone_ids().begin(),
                                decided.plan().applies_to_milestone_ids().end()) ==
          std::set<std::string>{w.milestone2});
    CHECK(applies_to(1) == std::set<std::string>{w.milestone1});
    CHECK(applies_to(2) == std::set<std::string>{w.milestone2});

    // contracts accepted the second milestone before it learned of version 2: it paid by version 1,
    // and clans shows exactly that rather than its own forecast.
    accepted_under(w.milestone2, 1);
    CHECK(applies_to(1) == std::set<std::string>{w.milestone1, w.milestone2});
    CHECK(applies_to(2).empty());
    // A replayed event changes nothing; a later decision for the milestone (after a dispute was
    // withdrawn, an accept under version 2) replaces the earlier one.
    accepted_under(w.milestone2, 1);
    CHECK(applies_to(1) == std::set<std::string>{w.milestone1, w.milestone2});
    accepted_under(w.milestone2, 2);
    CHECK(applies_to(1) == std::set<std::string>{w.milestone1});
    CHECK(applies_to(2) == std::set<std::string>{w.milestone2});
}
