// The clans service over real gRPC on real PostgreSQL: creating clans with unique handles, the
// membership flows with their events, who sees pending lists, replays, and the archive rule fed by
// contracts' and payments' events through the service's own router.
#include <catch2/catch.hpp>

#include "clans_fixture.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "marketplace/jobs/v1/events.pb.h"
#include "marketplace/payments/v1/events.pb.h"

using namespace marketplace::clans;
using namespace marketplace::clans::testing;
namespace core = marketplace::core;

namespace {

std::string NewUser() { return core::NewUuidV4(); }

v1::Clan Create(const std::string& head, const std::string& handle) {
    v1::CreateClanRequest req;
    req.set_name("Clan " + handle);
    req.set_handle(handle);
    req.set_description("Builders.");
    req.add_skills("C++");
    v1::CreateClanResponse resp;
    auto ctx = Context(head);
    const auto status = F().stub->CreateClan(ctx.get(), req, &resp);
    if (!status.ok()) throw std::runtime_error("CreateClan: " + status.error_message());
    return resp.clan();
}

std::string Handle() { return "c" + core::NewUuidV4().substr(0, 8); }

grpc::Status Invite(const std::string& clan, const std::string& by, const std::string& user, v1::Clan* out = nullptr) {
    v1::InviteMemberRequest req;
    req.set_clan_id(clan);
    req.set_user_id(user);
    v1::InviteMemberResponse resp;
    auto ctx = Context(by);
    const auto s = F().stub->InviteMember(ctx.get(), req, &resp);
    if (out) *out = resp.clan();
    return s;
}

grpc::Status Respond(const std::string& clan, const std::string& user, bool accept, v1::Clan* out = nullptr) {
    v1::RespondToInvitationRequest req;
    req.set_clan_id(clan);
    req.set_accept(accept);
    v1::RespondToInvitationResponse resp;
    auto ctx = Context(user);
    const auto s = F().stub->RespondToInvitation(ctx.get(), req, &resp);
    if (out) *out = resp.clan();
    return s;
}

grpc::Status SetRole(const std::string& clan, const std::string& by, const std::string& user, v1::Role role) {
    v1::SetMemberRoleRequest req;
    req.set_clan_id(clan);
    req.set_user_id(user);
    req.set_role(role);
    v1::SetMemberRoleResponse resp;
    auto ctx = Context(by);
    return F().stub->SetMemberRole(ctx.get(), req, &resp);
}

grpc::Status Archive(const std::string& clan, const std::string& by) {
    v1::ArchiveClanRequest req;
    req.set_clan_id(clan);
    v1::ArchiveClanResponse resp;
    auto ctx = Context(by);
    return F().stub->ArchiveClan(ctx.get(), req, &resp);
}

v1::Clan Get(const std::string& clan, const std::string& viewer) {
    v1::GetClanRequest req;
    req.set_clan_id(clan);
    v1::GetClanResponse resp;
    auto ctx = Context(viewer);
    const auto s = F().stub->GetClan(ctx.get(), req, &resp);
    if (!s.ok()) throw std::runtime_error("GetClan: " + s.error_message());
    return resp.clan();
}

v1::Role RoleIn(const v1::Clan& clan, const std::string& user) {
    for (const auto& m : clan.members()) {
        if (m.user_id() == user) return m.role();
    }
    return v1::ROLE_UNSPECIFIED;
}

}  // namespace

TEST_CASE("Clans: a handle is unique; a client cannot create a clan; errors name the field", "[clans][pg]") {
    const std::string head = NewUser();
    const std::string handle = Handle();
    const v1::Clan clan = Create(head, handle);
    CHECK(clan.status() == v1::CLAN_STATUS_ACTIVE);
    REQUIRE(clan.members_size() == 1);
    CHECK(clan.members(0).role() == v1::ROLE_HEAD);
    CHECK(OutboxCount("ClanCreated", clan.clan_id()) == 1);

    v1::CreateClanRequest again;
    again.set_name("Other");
    again.set_handle(handle);
    v1::CreateClanResponse resp;
    auto ctx = Context(NewUser());
    CHECK(F().stub->CreateClan(ctx.get(), again, &resp).error_code() == grpc::StatusCode::ALREADY_EXISTS);

    v1::CreateClanRequest bad;
    bad.set_name("Bad");
    bad.set_handle("9lives");
    auto ctx2 = Context(NewUser());
    CHECK(F().stub->CreateClan(ctx2.get(), bad, &resp).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ErrorField(*ctx2) == "handle");

    v1::CreateClanRequest by_client;
    by_client.set_name("Clients");
    by_client.set_handle(Handle());
    auto ctx3 = Context(NewUser(), "client");
    CHECK(F().stub->CreateClan(ctx3.get(), by_client, &resp).error_code() == grpc::StatusCode::PERMISSION_DENIED);
}

TEST_CASE("Clans: invite, accept, roles, join request, remove, leave and transfer, each an event", "[clans][pg]") {
    const std::string head = NewUser(), co = NewUser(), admin = NewUser(), member = NewUser(), asker = NewUser();
    const std::string id = Create(head, Handle()).clan_id();

    v1::Clan seen;
    REQUIRE(Invite(id, head, co).ok());
    REQUIRE(Invite(id, head, admin).ok());
    REQUIRE(Invite(id, head, member, &seen).ok());
    CHECK(seen.invitations_size() == 3);
    CHECK(OutboxCount("ClanMemberInvited", id) == 3);
    // The invited user sees their own invitation only; an outsider sees none.
    CHECK(Get(id, member).invitations_size() == 1);
    CHECK(Get(id, NewUser()).invitations_size() == 0);
    // An invitation cannot be accepted by someone else.
    CHECK(Respond(id, NewUser(), true).error_code() == grpc::StatusCode::NOT_FOUND);
    for (const auto& u : {co, admin, member}) REQUIRE(Respond(id, u, true).ok());
    REQUIRE(SetRole(id, head, co, v1::ROLE_CO_HEAD).ok());
    REQUIRE(SetRole(id, co, admin, v1::ROLE_ADMIN).ok());
    CHECK(SetRole(id, admin, member, v1::ROLE_ADMIN).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(SetRole(id, head, member, v1::ROLE_HEAD).error_code() == grpc::StatusCode::INVALID_ARGUMENT);

    v1::Clan clan = Get(id, head);
    CHECK(clan.members_size() == 4);
    CHECK(RoleIn(clan, co) == v1::ROLE_CO_HEAD);
    CHECK(RoleIn(clan, admin) == v1::ROLE_ADMIN);
    CHECK(RoleIn(clan, member) == v1::ROLE_MEMBER);
    CHECK(clan.members_version() == 6);  // created, three joined, two roles set

    // A join request, seen by the managers, decided by the ADMIN; the MEMBER may not decide.
    {
        v1::RequestToJoinRequest req;
        req.set_clan_id(id);
        req.set_message("I write Rust.");
        v1::RequestToJoinResponse resp;
        auto ctx = Context(asker);
        REQUIRE(F().stub->RequestToJoin(ctx.get(), req, &resp).ok());
        CHECK(Get(id, admin).join_requests_size() == 1);
        CHECK(Get(id, member).join_requests_size() == 0);
        v1::DecideJoinRequestRequest decide;
        decide.set_clan_id(id);
        decide.set_user_id(asker);
        decide.set_approve(true);
        v1::DecideJoinRequestResponse decided;
        auto m = Context(member);
        CHECK(F().stub->DecideJoinRequest(m.get(), decide, &decided).error_code() ==
              grpc::StatusCode::PERMISSION_DENIED);
        auto a = Context(admin);
        REQUIRE(F().stub->DecideJoinRequest(a.get(), decide, &decided).ok());
        CHECK(RoleIn(decided.clan(), asker) == v1::ROLE_MEMBER);
    }
    // The ADMIN removes the new MEMBER; the MEMBER leaves; the HEAD cannot leave.
    {
        v1::RemoveMemberRequest req;
        req.set_clan_id(id);
        req.set_user_id(asker);
        v1::RemoveMemberResponse resp;
        auto ctx = Context(admin);
        REQUIRE(F().stub->RemoveMember(ctx.get(), req, &resp).ok());
        CHECK(RoleIn(resp.clan(), asker) == v1::ROLE_UNSPECIFIED);
        v1::LeaveClanRequest leave;
        leave.set_clan_id(id);
        v1::LeaveClanResponse left;
        auto h = Context(head);
        CHECK(F().stub->LeaveClan(h.get(), leave, &left).error_code() == grpc::StatusCode::FAILED_PRECONDITION);
        auto m = Context(member);
        REQUIRE(F().stub->LeaveClan(m.get(), leave, &left).ok());
        CHECK(left.clan().members_size() == 3);
    }
    InTx([&](pqxx::work& tx) {
        const auto r = tx.exec_params1(
            "SELECT count(*) FILTER (WHERE left_how = 'removed'), count(*) FILTER (WHERE left_how = 'left') "
            "FROM clan_members WHERE clan_id = $1",
            id);
        CHECK(r[0].as<int>() == 1);
        CHECK(r[1].as<int>() == 1);
    });
    // Headship moves; the old HEAD is CO_HEAD; exactly one HEAD.
    {
        v1::TransferHeadshipRequest req;
        req.set_clan_id(id);
        req.set_user_id(admin);
        v1::TransferHeadshipResponse resp;
        auto c = Context(co);
        CHECK(F().stub->TransferHeadship(c.get(), req, &resp).error_code() == grpc::StatusCode::PERMISSION_DENIED);
        auto h = Context(head);
        REQUIRE(F().stub->TransferHeadship(h.get(), req, &resp).ok());
        CHECK(RoleIn(resp.clan(), admin) == v1::ROLE_HEAD);
        CHECK(RoleIn(resp.clan(), head) == v1::ROLE_CO_HEAD);
        CHECK(resp.clan().members(0).user_id() == admin);
    }
    // joined x4, role set x2, removed, left, became head + role changed
    CHECK(OutboxCount("ClanMemberChanged", id) == 10);
}

TEST_CASE("Clans: a replayed command returns the stored answer and changes nothing more", "[clans][pg]") {
    const std::string head = NewUser(), user = NewUser();
    const std::string id = Create(head, Handle()).clan_id();
    const std::string key = core::NewUuidV4();
    for (int i = 0; i < 2; ++i) {
        v1::InviteMemberRequest req;
        req.set_clan_id(id);
        req.set_user_id(user);
        v1::InviteMemberResponse resp;
        auto ctx = Context(head, "freelancer", key);
        REQUIRE(F().stub->InviteMember(ctx.get(), req, &resp).ok());
        CHECK(resp.clan().invitations_size() == 1);
    }
    CHECK(OutboxCount("ClanMemberInvited", id) == 1);
}

TEST_CASE("Clans: no archive with an active contract or money in escrow; archived, the clan is read only",
          "[clans][pg]") {
    const std::string head = NewUser(), client = NewUser();
    const std::string id = Create(head, Handle()).clan_id();
    const std::string contract = core::NewUuidV7(), m1 = core::NewUuidV7(), m2 = core::NewUuidV7();

    // A freelancer's contract (its working party is no clan) is not recorded.
    {
        marketplace::contracts::v1::ContractCreated other;
        other.set_contract_id(core::NewUuidV7());
        other.set_client_id(client);
        other.set_freelancer_id(NewUser());
        other.add_milestone_ids(core::NewUuidV7());
        Deliver(other);
    }
    marketplace::contracts::v1::ContractCreated created;
    created.set_contract_id(contract);
    created.set_client_id(client);
    created.set_freelancer_id(id);
    created.add_milestone_ids(m1);
    created.add_milestone_ids(m2);
    Deliver(created);
    Deliver(created);  // a redelivery records nothing twice
    InTx([&](pqxx::work& tx) {
        CHECK(tx.exec_params1("SELECT count(*) FROM clan_milestones WHERE clan_id = $1", id)[0].as<int>() == 2);
    });

    CHECK(Archive(id, head).error_code() == grpc::StatusCode::FAILED_PRECONDITION);  // active contract

    marketplace::payments::v1::EscrowFunded funded;
    funded.set_milestone_id(m1);
    Deliver(funded);
    marketplace::contracts::v1::MilestoneCancelled cancelled;
    cancelled.set_milestone_id(m2);
    cancelled.set_contract_id(contract);
    Deliver(cancelled);
    {
        v1::ArchiveClanRequest req;
        req.set_clan_id(id);
        v1::ArchiveClanResponse resp;
        auto ctx = Context(head);
        const auto s = F().stub->ArchiveClan(ctx.get(), req, &resp);
        CHECK(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
        CHECK(s.error_message().find("escrow") != std::string::npos);
    }
    marketplace::payments::v1::EscrowReleased released;
    released.set_milestone_id(m1);
    Deliver(released);
    // A late EscrowFunded does not reopen a closed milestone.
    Deliver(funded);

    const std::string co = NewUser();
    REQUIRE(Invite(id, head, co).ok());
    REQUIRE(Respond(id, co, true).ok());
    CHECK(Archive(id, co).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    REQUIRE(Archive(id, head).ok());
    const v1::Clan archived = Get(id, NewUser());
    CHECK(archived.status() == v1::CLAN_STATUS_ARCHIVED);
    CHECK(archived.members_size() == 2);  // its history stays
    CHECK(archived.has_archived_at());
    CHECK(Invite(id, head, NewUser()).error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(OutboxCount("ClanArchived", id) == 1);
}

TEST_CASE("Clans: a hire locks version 1 of the payout plan once; only the clan's members see it", "[clans][pg]") {
    const std::string head = NewUser(), member = NewUser();
    const std::string id = Create(head, Handle()).clan_id();
    REQUIRE(Invite(id, head, member).ok());
    REQUIRE(Respond(id, member, true).ok());

    marketplace::jobs::v1::ProposalAccepted accepted;
    accepted.set_proposal_id(core::NewUuidV7());
    accepted.set_job_id(core::NewUuidV7());
    accepted.set_client_id(NewUser());
    accepted.set_freelancer_id(id);
    accepted.set_clan_id(id);
    accepted.set_clan_leader_id(head);
    accepted.set_split_mode("bps");
    for (const auto& [user, bps] : std::vector<std::pair<std::string, int>>{{head, 6000}, {member, 4000}}) {
        auto* s = accepted.add_clan_shares();
        s->set_user_id(user);
        s->set_role("Engineer");
        s->set_weight(bps);
    }
    Deliver(accepted);
    Deliver(accepted);  // a redelivery locks nothing twice
    CHECK(OutboxCount("PayoutSplitLocked", id) == 1);
    // A freelancer's hire locks nothing here.
    marketplace::jobs::v1::ProposalAccepted freelancer = accepted;
    freelancer.set_proposal_id(core::NewUuidV7());
    freelancer.clear_clan_id();
    freelancer.set_freelancer_id(NewUser());
    Deliver(freelancer);
    CHECK(OutboxCount("PayoutSplitLocked", id) == 1);

    v1::ListPayoutPlansRequest req;
    req.set_clan_id(id);
    v1::ListPayoutPlansResponse resp;
    auto ctx = Context(member);
    REQUIRE(F().stub->ListPayoutPlans(ctx.get(), req, &resp).ok());
    REQUIRE(resp.plans_size() == 1);
    CHECK(resp.plans(0).version() == 1);
    CHECK(resp.plans(0).leader_id() == head);
    REQUIRE(resp.plans(0).shares_size() == 2);
    CHECK(resp.plans(0).shares(1).user_id() == member);
    CHECK(resp.plans(0).shares(1).weight() == 4000);
    auto outsider = Context(NewUser());
    CHECK(F().stub->ListPayoutPlans(outsider.get(), req, &resp).error_code() == grpc::StatusCode::PERMISSION_DENIED);
}
