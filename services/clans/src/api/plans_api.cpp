// The payout plans' handlers of ClansService: new versions proposed by the clan and decided by the
// contract's client, and the list of proposals.
#include <pqxx/pqxx>

#include "api/clans_api.hpp"
#include "api/plans_convert.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/mutate.hpp"
#include "marketplace/wire/values.hpp"

namespace marketplace::clans::api {
namespace {

constexpr int kMaxListed = 100;

v1::PlanProposalStatus StatusOf(const std::string& s) {
    if (s == "pending") return v1::PLAN_PROPOSAL_STATUS_PENDING;
    if (s == "approved") return v1::PLAN_PROPOSAL_STATUS_APPROVED;
    if (s == "rejected") return v1::PLAN_PROPOSAL_STATUS_REJECTED;
    if (s == "stale") return v1::PLAN_PROPOSAL_STATUS_STALE;
    return v1::PLAN_PROPOSAL_STATUS_UNSPECIFIED;
}

void ShareToProto(const PlanShare& s, v1::PlanShare* out) {
    out->set_user_id(s.user_id);
    out->set_role(s.role);
    out->set_weight(s.weight);
}

Actor ActorOf(const rpc::CallScope& scope) {
    const auto claims = scope.RequireClaims();
    return Actor{claims.subject, claims.role};
}

}  // namespace

void PlanToProto(const storage::PayoutPlanRecord& p, v1::PayoutPlan* out) {
    out->set_proposal_id(p.proposal_id);
    out->set_version(p.version);
    out->set_leader_id(p.leader_id);
    out->set_split_mode(p.split_mode);
    for (const auto& s : p.shares) ShareToProto(s, out->add_shares());
    wire::ToProto(p.locked_at, out->mutable_locked_at());
    out->set_contract_id(p.contract_id);
    out->set_proposed_by(p.proposed_by);
    out->set_approved_by(p.approved_by);
    for (const auto& m : p.applies_to) out->add_applies_to_milestone_ids(m);
    out->set_in_force(p.in_force);
    out->set_needs_new_version(p.needs_new_version);
    for (const auto& d : p.departed) out->add_departed_member_ids(d);
}

void ProposalToProto(const storage::PlanProposalRecord& p, v1::PlanVersionProposal* out) {
    out->set_plan_proposal_id(p.id);
    out->set_proposal_id(p.proposal_id);
    out->set_contract_id(p.contract_id);
    out->set_client_id(p.client_id);
    out->set_version(p.version);
    out->set_base_version(p.base_version);
    out->set_proposed_by(p.proposed_by);
    out->set_split_mode(p.split_mode);
    for (const auto& s : p.shares) ShareToProto(s, out->add_shares());
    out->set_note(p.note);
    out->set_status(StatusOf(p.status));
    out->set_decided_by(p.decided_by);
    out->set_reason(p.reason);
    wire::ToProto(p.created_at, out->mutable_created_at());
    if (p.decided_at) wire::ToProto(*p.decided_at, out->mutable_decided_at());
}

grpc::Status ClansApi::ProposePlanVersion(grpc::ServerContext* context, const v1::ProposePlanVersionRequest* request,
                                          v1::ProposePlanVersionResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request->clan_id(), "clan_id");
        core::RequireUuid(request->proposal_id(), "proposal_id");
        std::vector<PlanTeamInput> team;
        for (const auto& m : request->team()) team.push_back({m.user_id(), m.role()});
        std::vector<PlanSplitInput> split;
        for (const auto& s : request->split()) split.push_back({s.user_id(), s.weight()});
        *response = service::Mutate<v1::ProposePlanVersionResponse>(runtime_, idem, *request, [&](pqxx::work& tx) {
            v1::ProposePlanVersionResponse r;
            ProposalToProto(flows_.ProposePlanVersion(tx, request->clan_id(), request->proposal_id(), actor,
                                                      request->base_version(), team, split, request->note()),
                            r.mutable_proposal());
            return r;
        });
    });
}

grpc::Status ClansApi::DecidePlanVersion(grpc::ServerContext* context, const v1::DecidePlanVersionRequest* request,
                                         v1::DecidePlanVersionResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request->clan_id(), "clan_id");
        core::RequireUuid(request->proposal_id(), "proposal_id");
        *response = service::Mutate<v1::DecidePlanVersionResponse>(runtime_, idem, *request, [&](pqxx::work& tx) {
            const auto decided = flows_.DecidePlanVersion(tx, request->clan_id(), request->proposal_id(), actor,
                                                          request->version(), request->approve(), request->reason());
            v1::DecidePlanVersionResponse r;
            ProposalToProto(decided.proposal, r.mutable_proposal());
            if (decided.plan) PlanToProto(*decided.plan, r.mutable_plan());
            return r;
        });
    });
}

grpc::Status ClansApi::ListPlanVersionProposals(grpc::ServerContext* context,
                                                const v1::ListPlanVersionProposalsRequest* request,
                                                v1::ListPlanVersionProposalsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        core::RequireUuid(request->clan_id(), "clan_id");
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            for (const auto& p : flows_.ListPlanProposals(tx, request->clan_id(), actor, kMaxListed)) {
                ProposalToProto(p, response->add_proposals());
            }
        });
    });
}

}  // namespace marketplace::clans::api
