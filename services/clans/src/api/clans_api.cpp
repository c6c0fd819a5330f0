#include "api/clans_api.hpp"

#include <optional>

#include <pqxx/pqxx>

#include "api/plans_convert.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/mutate.hpp"
#include "marketplace/wire/values.hpp"
#include "storage/clan_store.hpp"

namespace marketplace::clans::api {
namespace {

constexpr int kMaxListed = 100;

v1::Role RoleOf(Role r) {
    switch (r) {
        case Role::kHead:
            return v1::ROLE_HEAD;
        case Role::kCoHead:
            return v1::ROLE_CO_HEAD;
        case Role::kAdmin:
            return v1::ROLE_ADMIN;
        case Role::kMember:
            return v1::ROLE_MEMBER;
    }
    return v1::ROLE_UNSPECIFIED;
}

std::optional<Role> RoleFrom(v1::Role r) {
    switch (r) {
        case v1::ROLE_HEAD:
            return Role::kHead;
        case v1::ROLE_CO_HEAD:
            return Role::kCoHead;
        case v1::ROLE_ADMIN:
            return Role::kAdmin;
        case v1::ROLE_MEMBER:
            return Role::kMember;
        default:
            return std::nullopt;
    }
}

void PendingToProto(const Pending& p, v1::Pending* out) {
    out->set_user_id(p.user_id);
    out->set_invited_by(p.invited_by);
    out->set_message(p.message);
    wire::ToProto(p.created_at, out->mutable_created_at());
}

/// The clan as `viewer` may see it: pending lists in full for its managers, else only the viewer's own.
void ToProto(const Clan& clan, const std::string& viewer, v1::Clan* out,
             const std::optional<ContractFacts>& facts = std::nullopt) {
    out->set_clan_id(clan.id);
    out->set_handle(clan.handle);
    out->set_name(clan.name);
    out->set_description(clan.description);
    for (const auto& s : clan.skills) out->add_skills(s);
    out->set_status(clan.archived ? v1::CLAN_STATUS_ARCHIVED : v1::CLAN_STATUS_ACTIVE);
    for (const auto& m : clan.members) {
        auto* pm = out->add_members();
        pm->set_user_id(m.user_id);
        pm->set_role(RoleOf(m.role));
        wire::ToProto(m.joined_at, pm->mutable_joined_at());
    }
    const Member* me = clan.FindMember(viewer);
    const bool manager = me != nullptr && IsManager(me->role);
    for (const auto& p : clan.invitations) {
        if (manager || p.user_id == viewer) PendingToProto(p, out->add_invitations());
    }
    for (const auto& p : clan.join_requests) {
        if (manager || p.user_id == viewer) PendingToProto(p, out->add_join_requests());
    }
    out->set_members_version(clan.members_version);
    wire::ToProto(clan.created_at, out->mutable_created_at());
    if (clan.archived_at) wire::ToProto(*clan.archived_at, out->mutable_archived_at());
    if (facts && me != nullptr) {
        out->set_active_contracts(facts->active_contracts);
        out->set_milestones_in_escrow(facts->milestones_in_escrow);
    }
}

Actor ActorOf(const rpc::CallScope& scope) {
    const auto claims = scope.RequireClaims();
    return Actor{claims.subject, claims.role};
}

}  // namespace

template <typename Response, typename Request>
grpc::Status ClansApi::Command(grpc::ServerContext* context, const Request& request, Response* response,
                               const clans::Command& command) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request.clan_id(), "clan_id");
        *response = service::Mutate<Response>(runtime_, idem, request, [&](pqxx::work& tx) {
            const Clan clan = flows_.Act(tx, request.clan_id(), command, actor);
            Response r;
            ToProto(clan, actor.user_id, r.mutable_clan());
            return r;
        });
    });
}

grpc::Status ClansApi::CreateClan(grpc::ServerContext* context, const v1::CreateClanRequest* request,
                                  v1::CreateClanResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        const auto idem = rpc::IdempotentCall::From(scope);
        const NewClanInput input{request->name(),
                                 request->handle(),
                                 request->description(),
                                 {request->skills().begin(), request->skills().end()}};
        *response = service::Mutate<v1::CreateClanResponse>(runtime_, idem, *request, [&](pqxx::work& tx) {
            v1::CreateClanResponse r;
            ToProto(flows_.Create(tx, actor, input), actor.user_id, r.mutable_clan());
            return r;
        });
    });
}

grpc::Status ClansApi::GetClan(grpc::ServerContext* context, const v1::GetClanRequest* request,
                               v1::GetClanResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        core::RequireUuid(request->clan_id(), "clan_id");
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            ToProto(flows_.View(tx, request->clan_id()), actor.user_id, response->mutable_clan(),
                    storage::FactsOf(tx, request->clan_id()));
        });
    });
}

grpc::Status ClansApi::ListMyClans(grpc::ServerContext* context, const v1::ListMyClansRequest* /*request*/,
                                   v1::ListMyClansResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            for (const auto& c : storage::ClansOfMember(tx, actor.user_id, kMaxListed)) {
                ToProto(c, actor.user_id, response->add_clans());
            }
            for (const auto& c : storage::ClansInviting(tx, actor.user_id, kMaxListed)) {
                ToProto(c, actor.user_id, response->add_invited_to());
            }
        });
    });
}

grpc::Status ClansApi::ListPayoutPlans(grpc::ServerContext* context, const v1::ListPayoutPlansRequest* request,
                                       v1::ListPayoutPlansResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        core::RequireUuid(request->clan_id(), "clan_id");
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            const Clan clan = flows_.View(tx, request->clan_id());
            if (clan.FindMember(actor.user_id) == nullptr) {
                throw core::PermissionDenied("only the clan's members see its payout plans");
            }
            for (const auto& p : storage::ListPlans(tx, clan.id, kMaxListed)) PlanToProto(p, response->add_plans());
        });
    });
}

grpc::Status ClansApi::InviteMember(grpc::ServerContext* context, const v1::InviteMemberRequest* request,
                                    v1::InviteMemberResponse* response) {
    // A user id that is no UUID names nobody: the domain refuses it as an empty one (after the
    // caller's rights are checked).
    const std::string user_id = core::IsUuid(request->user_id()) ? request->user_id() : std::string();
    return Command(context, *request, response, command::Invite{user_id});
}

grpc::Status ClansApi::RespondToInvitation(grpc::ServerContext* context, const v1::RespondToInvitationRequest* request,
                                           v1::RespondToInvitationResponse* response) {
    return Command(context, *request, response, command::RespondToInvitation{request->accept()});
}

grpc::Status ClansApi::RequestToJoin(grpc::ServerContext* context, const v1::RequestToJoinRequest* request,
                                     v1::RequestToJoinResponse* response) {
    return Command(context, *request, response, command::RequestToJoin{request->message()});
}

grpc::Status ClansApi::DecideJoinRequest(grpc::ServerContext* context, const v1::DecideJoinRequestRequest* request,
                                         v1::DecideJoinRequestResponse* response) {
    return Command(context, *request, response, command::DecideJoinRequest{request->user_id(), request->approve()});
}

grpc::Status ClansApi::LeaveClan(grpc::ServerContext* context, const v1::LeaveClanRequest* request,
                                 v1::LeaveClanResponse* response) {
    return Command(context, *request, response, command::Leave{});
}

grpc::Status ClansApi::RemoveMember(grpc::ServerContext* context, const v1::RemoveMemberRequest* request,
                                    v1::RemoveMemberResponse* response) {
    return Command(context, *request, response, command::Remove{request->user_id()});
}

grpc::Status ClansApi::SetMemberRole(grpc::ServerContext* context, const v1::SetMemberRoleRequest* request,
                                     v1::SetMemberRoleResponse* response) {
    return Command(context, *request, response, command::SetRole{request->user_id(), RoleFrom(request->role())});
}

grpc::Status ClansApi::TransferHeadship(grpc::ServerContext* context, const v1::TransferHeadshipRequest* request,
                                        v1::TransferHeadshipResponse* response) {
    return Command(context, *request, response, command::TransferHeadship{request->user_id()});
}

grpc::Status ClansApi::ArchiveClan(grpc::ServerContext* context, const v1::ArchiveClanRequest* request,
                                   v1::ArchiveClanResponse* response) {
    return Command(context, *request, response, command::Archive{});
}

}  // namespace marketplace::clans::api
