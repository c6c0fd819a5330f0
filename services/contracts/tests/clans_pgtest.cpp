// A clan's contract: who acts for the clan (its HEAD, CO_HEAD and ADMINs, from the read model of
// clans' events), which version of the payout plan a release applies, the hold on a release that
// would pay someone who left, and the payouts only the clan's members see. Over real gRPC.
#include <catch2/catch.hpp>

#include "contracts_fixture.hpp"
#include "marketplace/clans/v1/events.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/messaging/consumer.hpp"

using namespace marketplace;
using namespace marketplace::contracts;
using namespace marketplace::contracts::testing;
using Stub = v1::ContractsService::Stub;

namespace {

/// A clan of four (HEAD, CO_HEAD, ADMIN, MEMBER) hired for the sample proposal, with version 1 of
/// its plan locked (leader: the HEAD; 4000/3000/2000/1000 basis points).
struct ClanContract {
    Seeded contract;
    std::string clan_id, head, co_head, admin, member;
    std::int64_t members_version = 1;
    As As_(const std::string& user) const { return {user, "freelancer"}; }
};

void MemberChanged(ClanContract& c, const std::string& user, const std::string& change, const std::string& role,
                   bool bump = true) {
    clans::v1::ClanMemberChanged e;
    e.set_clan_id(c.clan_id);
    e.set_user_id(user);
    e.set_change(change);
    e.set_role(role);
    e.set_actor_id(c.head);
    if (bump) ++c.members_version;
    e.set_members_version(c.members_version);
    InTx([&](pqxx::work& tx) { F().events->OnClanMemberChanged(tx, e); });
}

void LockPlan(const ClanContract& c, int version, const std::string& leader,
              const std::vector<std::pair<std::string, std::int64_t>>& shares) {
    clans::v1::PayoutSplitLocked e;
    e.set_clan_id(c.clan_id);
    e.set_proposal_id(c.contract.proposal_id);
    e.set_version(version);
    e.set_leader_id(leader);
    e.set_split_mode("bps");
    for (const auto& [user, weight] : shares) {
        auto* s = e.add_shares();
        s->set_user_id(user);
        s->set_role("Engineer");
        s->set_weight(weight);
    }
    // Through the router, as the consumer delivers it: the type is accepted from clans' topic.
    messaging::IncomingEvent in;
    in.source = "//marketplace/clans";
    in.type = "marketplace.clans.v1.PayoutSplitLocked";
    in.key = c.clan_id;
    in.topic = kClansTopic;
    in.payload = e.SerializeAsString();
    const auto handler = F().events->Router().Handler();
    InTx([&](pqxx::work& tx) { handler(tx, in); });
}

ClanContract HiredClan() {
    ClanContract c;
    c.clan_id = core::NewUuidV7();
    c.head = core::NewUuidV7();
    c.co_head = core::NewUuidV7();
    c.admin = core::NewUuidV7();
    c.member = core::NewUuidV7();
    clans::v1::ClanCreated created;
    created.set_clan_id(c.clan_id);
    created.set_handle("clan-" + c.clan_id.substr(0, 8));
    created.set_name("The Builders");
    created.set_head_id(c.head);
    InTx([&](pqxx::work& tx) { F().events->OnClanCreated(tx, created); });
    MemberChanged(c, c.co_head, "joined", "member");
    MemberChanged(c, c.co_head, "role_changed", "co_head");
    MemberChanged(c, c.admin, "joined", "member");
    MemberChanged(c, c.admin, "role_changed", "admin");
    MemberChanged(c, c.member, "joined", "member");

    auto proposal = SampleProposal();
    proposal.set_freelancer_id(c.clan_id);
    proposal.set_clan_id(c.clan_id);
    proposal.set_clan_leader_id(c.head);
    proposal.set_split_mode("bps");
    c.contract = SeedContract(proposal);
    LockPlan(c, 1, c.head, {{c.head, 4000}, {c.co_head, 3000}, {c.admin, 2000}, {c.member, 1000}});
    return c;
}

CallOutcome SubmitAs(const ClanContract& c, const std::string& user, int i = 0) {
    v1::SubmitMilestoneRequest request;
    request.set_milestone_id(c.contract.milestone_ids[i]);
    request.set_note("Ready for review.");
    v1::SubmitMilestoneResponse response;
    return Call(&Stub::SubmitMilestone, c.As_(user), request, &response, Key());
}

CallOutcome AcceptMilestone(const ClanContract& c, int i) {
    v1::AcceptMilestoneRequest request;
    request.set_milestone_id(c.contract.milestone_ids[i]);
    v1::AcceptMilestoneResponse response;
    return Call(&Stub::AcceptMilestone, c.contract.client(), request, &response, Key());
}

/// Signs (client and the clan's ADMIN), funds and submits milestone i (ADMIN submits).
void SignedAndSubmitted(const ClanContract& c, int i, std::int64_t minor, bool sign) {
    if (sign) {
        v1::GetStatementOfWorkRequest get;
        get.set_contract_id(c.contract.contract_id);
        v1::GetStatementOfWorkResponse sow;
        REQUIRE(Call(&Stub::GetStatementOfWork, c.contract.client(), get, &sow).ok());
        for (const As& who : {c.contract.client(), c.As_(c.admin)}) {
            v1::SignStatementOfWorkRequest sign_request;
            sign_request.set_contract_id(c.contract.contract_id);
            sign_request.set_content_hash(sow.statement_of_work().content_hash());
            v1::SignStatementOfWorkResponse signed_sow;
            REQUIRE(Call(&Stub::SignStatementOfWork, who, sign_request, &signed_sow, Key()).ok());
        }
    }
    v1::FundMilestoneRequest fund;
    fund.set_milestone_id(c.contract.milestone_ids[i]);
    v1::FundMilestoneResponse funded;
    REQUIRE(Call(&Stub::FundMilestone, c.contract.client(), fund, &funded, Key()).ok());
    EscrowFunded(c.contract.milestone_ids[i], minor, 1);
    REQUIRE(SubmitAs(c, c.admin, i).ok());
}

v1::ListClanPayoutsResponse Payouts(const ClanContract& c, const As& who, grpc::StatusCode expected) {
    v1::ListClanPayoutsRequest request;
    request.set_clan_id(c.clan_id);
    v1::ListClanPayoutsResponse response;
    const auto out = Call(&Stub::ListClanPayouts, who, request, &response);
    REQUIRE(out.code() == expected);
    return response;
}

}  // namespace

TEST_CASE("Clan contracts: the HEAD, CO_HEAD and ADMINs act for the clan; a MEMBER is refused PERMISSION_DENIED",
          "[contracts][clans][pg]") {
    auto c = HiredClan();
    SignedAndSubmitted(c, 0, 120000, true);  // the ADMIN signed and submitted
    REQUIRE(StateOf(c.contract) == v1::MILESTONE_STATE_SUBMITTED);

    // Milestone 2: fund it, then see who may submit.
    v1::FundMilestoneRequest fund;
    fund.set_milestone_id(c.contract.milestone_ids[1]);
    v1::FundMilestoneResponse funded;
    REQUIRE(Call(&Stub::FundMilestone, c.contract.client(), fund, &funded, Key()).ok());
    EscrowFunded(c.contract.milestone_ids[1], 180000, 1);

    const auto by_member = SubmitAs(c, c.member, 1);
    CHECK(by_member.code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(by_member.status.error_message() ==
          "only the clan's HEAD, CO_HEAD or ADMIN acts for the clan on its contract");
    // Someone outside the clan cannot even tell the milestone exists, as on every contract.
    CHECK(SubmitAs(c, core::NewUuidV7(), 1).code() == grpc::StatusCode::NOT_FOUND);
    // The client is not the working party.
    CHECK(SubmitAs(c, c.contract.client_id, 1).code() == grpc::StatusCode::PERMISSION_DENIED);
    // The clan's id itself is no user of the clan.
    CHECK(SubmitAs(c, c.clan_id, 1).code() == grpc::StatusCode::NOT_FOUND);
    // A MEMBER reads the milestone.
    CHECK(GetMilestone(c.contract.milestone_ids[1], c.As_(c.member)).state() == v1::MILESTONE_STATE_FUNDED);

    // An ADMIN set back to MEMBER loses the right at once; the CO_HEAD has it.
    MemberChanged(c, c.admin, "role_changed", "member");
    CHECK(SubmitAs(c, c.admin, 1).code() == grpc::StatusCode::PERMISSION_DENIED);
    REQUIRE(SubmitAs(c, c.co_head, 1).ok());
    CHECK(StateOf(c.contract, 1) == v1::MILESTONE_STATE_SUBMITTED);
    // A stale change (an older members_version) never overwrites a newer one.
    clans::v1::ClanMemberChanged stale;
    stale.set_clan_id(c.clan_id);
    stale.set_user_id(c.admin);
    stale.set_change("role_changed");
    stale.set_role("admin");
    stale.set_members_version(2);
    InTx([&](pqxx::work& tx) { F().events->OnClanMemberChanged(tx, stale); });
    CHECK(SubmitAs(c, c.admin, 1).code() == grpc::StatusCode::PERMISSION_DENIED);
}

TEST_CASE(
    "Clan release: the accept carries the plan version in force and its leader; a headship transfer alone "
    "does not move the commission, a new version does",
    "[contracts][clans][pg]") {
    auto c = HiredClan();
    SignedAndSubmitted(c, 0, 120000, true);

    // Headship moves to the CO_HEAD; version 1 still names the old HEAD as leader.
    MemberChanged(c, c.co_head, "became_head", "head");
    MemberChanged(c, c.head, "role_changed", "co_head", false);
    REQUIRE(AcceptMilestone(c, 0).ok());
    auto accepted = Last<v1::MilestoneAccepted>(c.contract.milestone_ids[0]);
    CHECK(accepted.payees().empty());
    REQUIRE(accepted.has_clan_split());
    CHECK(accepted.clan_split().clan_id() == c.clan_id);
    CHECK(accepted.clan_split().plan_version() == 1);
    CHECK(accepted.clan_split().leader_id() == c.head);
    CHECK(accepted.clan_split().split_mode() == "bps");
    REQUIRE(accepted.clan_split().shares_size() == 4);
    CHECK(accepted.clan_split().shares(0).user_id() == c.head);
    CHECK(accepted.clan_split().shares(0).weight() == 4000);

    // Version 2 names the new HEAD as leader and rebalances: milestone 2 is paid by it.
    LockPlan(c, 2, c.co_head, {{c.head, 2500}, {c.co_head, 2500}, {c.admin, 2500}, {c.member, 2500}});
    SignedAndSubmitted(c, 1, 180000, false);
    REQUIRE(AcceptMilestone(c, 1).ok());
    accepted = Last<v1::MilestoneAccepted>(c.contract.milestone_ids[1]);
    CHECK(accepted.clan_split().plan_version() == 2);
    CHECK(accepted.clan_split().leader_id() == c.co_head);
    CHECK(accepted.clan_split().shares(3).weight() == 2500);
    // Version 1 (replayed) changes nothing: the highest version is in force.
    LockPlan(c, 1, c.head, {{c.head, 10000}});
}

TEST_CASE(
    "Clan release: a plan naming someone who left is held with FAILED_PRECONDITION naming them until a newer "
    "version is locked",
    "[contracts][clans][pg]") {
    auto c = HiredClan();
    SignedAndSubmitted(c, 0, 120000, true);
    MemberChanged(c, c.member, "removed", "");

    const auto held = AcceptMilestone(c, 0);
    CHECK(held.code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(held.status.error_message().find(c.member) != std::string::npos);
    CHECK(held.status.error_message().find("version 1") != std::string::npos);
    CHECK(StateOf(c.contract) == v1::MILESTONE_STATE_SUBMITTED);
    CHECK(CountOf(c.contract.milestone_ids[0], "marketplace.contracts.v1.MilestoneAccepted") == 0);

    // The auto-release is held the same way: its handler throws, the scheduler retries it later.
    F().clock->Advance(kReviewPeriod + std::chrono::seconds(1));
    messaging::Timer timer;
    timer.kind = kAutoReleaseTimer;
    timer.key = c.contract.milestone_ids[0];
    CHECK_THROWS_AS(InTx([&](pqxx::work& tx) { F().events->OnAutoRelease(tx, timer); }), core::FailedPrecondition);
    CHECK(StateOf(c.contract) == v1::MILESTONE_STATE_SUBMITTED);
    LockPlan(c, 2, c.head, {{c.head, 5000}, {c.co_head, 3000}, {c.admin, 2000}});
    REQUIRE(AcceptMilestone(c, 0).ok());
    const auto accepted = Last<v1::MilestoneAccepted>(c.contract.milestone_ids[0]);
    CHECK(accepted.clan_split().plan_version() == 2);
    CHECK(accepted.clan_split().shares_size() == 3);
}

TEST_CASE(
    "Clan payouts: every member sees the split and what each member was paid; the client and outsiders "
    "do not",
    "[contracts][clans][pg]") {
    auto c = HiredClan();
    SignedAndSubmitted(c, 0, 120000, true);
    REQUIRE(AcceptMilestone(c, 0).ok());
    payments::v1::EscrowReleased released;
    released.set_milestone_id(c.contract.milestone_ids[0]);
    released.mutable_amount()->set_minor_units(120000);
    released.mutable_amount()->set_currency("EUR");
    const std::vector<std::tuple<std::string, std::string, std::int64_t>> legs = {
        {"platform_fee", "", 12000},        {"leader_commission", c.head, 3600}, {"member_share", c.head, 41760},
        {"member_share", c.co_head, 31320}, {"member_share", c.admin, 20880},    {"member_share", c.member, 10440}};
    for (const auto& [kind, user, minor] : legs) {
        auto* leg = released.add_legs();
        leg->set_kind(kind);
        leg->set_user_id(user);
        leg->mutable_amount()->set_minor_units(minor);
        leg->mutable_amount()->set_currency("EUR");
    }
    InTx([&](pqxx::work& tx) { F().events->OnEscrowReleased(tx, released); });
    InTx([&](pqxx::work& tx) { F().events->OnEscrowReleased(tx, released); });  // a replay records nothing twice
    REQUIRE(StateOf(c.contract) == v1::MILESTONE_STATE_PAID);

    for (const auto& user : {c.head, c.co_head, c.admin, c.member}) {
        const auto view = Payouts(c, c.As_(user), grpc::StatusCode::OK);
        REQUIRE(view.contracts_size() == 1);
        const auto& contract = view.contracts(0);
        CHECK(contract.contract_id() == c.contract.contract_id);
        REQUIRE(contract.plans_size() == 1);
        CHECK(contract.plans(0).leader_id() == c.head);
        CHECK(contract.plans(0).shares(3).user_id() == c.member);
        CHECK(contract.plans(0).shares(3).weight() == 1000);
        REQUIRE(contract.milestones_size() == 2);
        CHECK(contract.milestones(0).plan_version() == 1);
        CHECK(contract.milestones(0).state() == "paid");
        REQUIRE(contract.milestones(0).legs_size() == 6);
        CHECK(contract.milestones(0).legs(5).user_id() == c.member);
        CHECK(contract.milestones(0).legs(5).kind() == "member_share");
        CHECK(contract.milestones(0).legs(5).amount().minor_units() == 10440);
        CHECK(contract.milestones(1).legs_size() == 0);
        CHECK(contract.milestones(1).plan_version() == 0);
    }
    Payouts(c, c.contract.client(), grpc::StatusCode::PERMISSION_DENIED);
    Payouts(c, {core::NewUuidV7(), "freelancer"}, grpc::StatusCode::PERMISSION_DENIED);
    Payouts(c, {core::NewUuidV7(), "admin"}, grpc::StatusCode::PERMISSION_DENIED);
    // A member who leaves stops seeing them.
    MemberChanged(c, c.member, "left", "");
    Payouts(c, c.As_(c.member), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_CASE("Clan dispute: the milestone held by a dispute carries the plan in force for its settlement",
          "[contracts][clans][pg]") {
    auto c = HiredClan();
    SignedAndSubmitted(c, 0, 120000, true);
    disputes::v1::DisputeOpened opened;
    opened.set_dispute_id(core::NewUuidV7());
    opened.set_milestone_id(c.contract.milestone_ids[0]);
    InTx([&](pqxx::work& tx) { F().events->OnDisputeOpened(tx, opened); });
    REQUIRE(StateOf(c.contract) == v1::MILESTONE_STATE_DISPUTED);
    const auto disputed = Last<v1::MilestoneDisputed>(c.contract.milestone_ids[0]);
    REQUIRE(disputed.has_clan_split());
    CHECK(disputed.clan_split().plan_version() == 1);
    CHECK(disputed.clan_split().leader_id() == c.head);
    CHECK(disputed.clan_split().shares_size() == 4);
}

TEST_CASE(
    "Clan contracts: listed for each current member of the clan with the caller's side; a departed member "
    "and outsiders do not see them",
    "[contracts][clans][pg]") {
    auto c = HiredClan();
    const auto listed = [&](const As& who) -> std::optional<v1::Contract> {
        v1::ListContractsRequest request;
        request.set_page_size(100);
        v1::ListContractsResponse response;
        REQUIRE(Call(&Stub::ListContracts, who, request, &response).ok());
        for (const auto& contract : response.contracts()) {
            if (contract.contract_id() == c.contract.contract_id) return contract;
        }
        return std::nullopt;
    };
    const std::vector<std::pair<As, v1::PartyRole>> sides = {
        {c.contract.client(), v1::PARTY_ROLE_CLIENT},  {c.As_(c.head), v1::PARTY_ROLE_FREELANCER},
        {c.As_(c.co_head), v1::PARTY_ROLE_FREELANCER}, {c.As_(c.admin), v1::PARTY_ROLE_FREELANCER},
        {c.As_(c.member), v1::PARTY_ROLE_UNSPECIFIED},
    };
    for (const auto& [who, side] : sides) {
        INFO(who.user_id);
        const auto contract = listed(who);
        REQUIRE(contract.has_value());
        CHECK(contract->clan_id() == c.clan_id);
        CHECK(contract->freelancer_id() == c.clan_id);
        CHECK(contract->caller_role() == side);
        v1::GetContractRequest get;
        get.set_contract_id(c.contract.contract_id);
        v1::GetContractResponse got;
        REQUIRE(Call(&Stub::GetContract, who, get, &got).ok());
        CHECK(got.contract().caller_role() == side);
    }
    CHECK_FALSE(listed(c.As_(core::NewUuidV7())).has_value());

    // A member who leaves no longer sees the clan's contracts, in the list or one by one.
    MemberChanged(c, c.member, "left", "");
    CHECK_FALSE(listed(c.As_(c.member)).has_value());
    v1::GetContractRequest get;
    get.set_contract_id(c.contract.contract_id);
    v1::GetContractResponse got;
    CHECK(Call(&Stub::GetContract, c.As_(c.member), get, &got).code() == grpc::StatusCode::NOT_FOUND);
    // An admin reading someone's contracts reads without a side.
    v1::ListContractsRequest as_admin;
    as_admin.set_party_id(c.head);
    v1::ListContractsResponse admin_view;
    REQUIRE(Call(&Stub::ListContracts, As{core::NewUuidV7(), "admin"}, as_admin, &admin_view).ok());
    REQUIRE(admin_view.contracts_size() >= 1);
    CHECK(admin_view.contracts(0).caller_role() == v1::PARTY_ROLE_UNSPECIFIED);
}
