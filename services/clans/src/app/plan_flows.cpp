// The payout plans' use cases of ClanFlows: proposing a new version, the client's decision, and
// what a departed member does to the plans that name them (domain/plan_version.hpp).
#include "app/clan_flows.hpp"
#include "marketplace/clans/v1/events.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "storage/clan_store.hpp"

namespace marketplace::clans {
namespace {

constexpr std::size_t kMaxReasonChars = 1000;

std::string ShortList(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
    return out;
}

}  // namespace

void ClanFlows::PublishLocked(pqxx::work& tx, const std::string& clan_name, const storage::PayoutPlanRecord& plan) {
    v1::PayoutSplitLocked e;
    e.set_clan_id(plan.clan_id);
    e.set_proposal_id(plan.proposal_id);
    e.set_version(plan.version);
    e.set_leader_id(plan.leader_id);
    e.set_split_mode(plan.split_mode);
    for (const auto& s : plan.shares) {
        auto* out = e.add_shares();
        out->set_user_id(s.user_id);
        out->set_role(s.role);
        out->set_weight(s.weight);
    }
    e.set_contract_id(plan.contract_id);
    e.set_proposed_by(plan.proposed_by);
    e.set_approved_by(plan.approved_by);
    for (const auto& m : plan.applies_to) e.add_applies_to_milestone_ids(m);
    e.set_clan_name(clan_name);
    runtime_.Publish(tx, plan.clan_id, e);
    core::log::Info(
        "payout split locked",
        {{"clan_id", plan.clan_id}, {"proposal_id", plan.proposal_id}, {"version", std::to_string(plan.version)}});
}

storage::PlanProposalRecord ClanFlows::ProposePlanVersion(pqxx::work& tx, const std::string& clan_id,
                                                          const std::string& proposal_id, const Actor& actor,
                                                          int base_version, const std::vector<PlanTeamInput>& team,
                                                          const std::vector<PlanSplitInput>& split,
                                                          const std::string& note) {
    const auto clan = storage::LoadClan(tx, clan_id, true);  // a leave waits, and then sees the proposal
    if (!clan) throw core::NotFound("clan not found");
    RequirePlanManager(*clan, actor);
    const auto plan = storage::PlanInForce(tx, clan_id, proposal_id);
    if (!plan) throw core::NotFound("payout plan not found");
    const auto contract = storage::ContractOfProposal(tx, clan_id, proposal_id);
    if (!contract) {
        throw core::FailedPrecondition("the clan has not learned of the plan's contract yet: try again shortly");
    }
    if (storage::OpenMilestones(tx, contract->contract_id).empty()) {
        throw core::FailedPrecondition("every milestone of the contract is released, refunded or cancelled");
    }
    const VersionInForce in_force{plan->version, plan->split_mode, plan->shares};
    const auto shares = ValidatePlanVersion(*clan, actor, in_force, base_version, team, split, note);
    if (const auto pending = storage::PendingProposal(tx, clan_id, proposal_id)) {
        throw core::FailedPrecondition("a proposal of version " + std::to_string(pending->version) +
                                       " waits for the client's decision already");
    }
    storage::PlanProposalRecord p;
    p.id = core::NewUuidV7();
    p.clan_id = clan_id;
    p.proposal_id = plan->proposal_id;
    p.contract_id = contract->contract_id;
    p.client_id = contract->client_id;
    p.base_version = plan->version;
    p.version = plan->version + 1;
    p.proposed_by = actor.user_id;
    p.split_mode = plan->split_mode;
    p.shares = shares;
    p.note = note;
    p.status = "pending";
    p.created_at = Now();
    if (!storage::InsertProposal(tx, p)) {
        throw core::FailedPrecondition("a proposal of a new version waits for the client's decision already");
    }
    v1::PayoutPlanVersionProposed e;
    e.set_clan_id(clan_id);
    e.set_clan_name(clan->name);
    e.set_proposal_id(p.proposal_id);
    e.set_contract_id(p.contract_id);
    e.set_client_id(p.client_id);
    e.set_version(p.version);
    e.set_proposed_by(actor.user_id);
    for (const auto& s : shares) e.add_member_ids(s.user_id);
    runtime_.Publish(tx, clan_id, e);
    core::log::Info("plan version proposed",
                    {{"clan_id", clan_id}, {"proposal_id", p.proposal_id}, {"version", std::to_string(p.version)}});
    return p;
}

ClanFlows::PlanDecision ClanFlows::DecidePlanVersion(pqxx::work& tx, const std::string& clan_id,
                                                     const std::string& proposal_id, const Actor& actor, int version,
                                                     bool approve, const std::string& reason) {
    const auto clan = storage::LoadClan(tx, clan_id, true);
    if (!clan) throw core::NotFound("clan not found");
    const auto contract = storage::ContractOfProposal(tx, clan_id, proposal_id);
    if (!contract || contract->client_id != actor.user_id) {
        throw core::PermissionDenied("only the contract's client decides a new version of its payout plan");
    }
    auto pending = storage::PendingProposal(tx, clan_id, proposal_id);
    if (!pending) throw core::NotFound("no proposal of a new plan version is pending");
    if (version != pending->version) {
        throw core::FailedPrecondition("version: the pending proposal is version " + std::to_string(pending->version) +
                                       " (got " + std::to_string(version) + ")");
    }
    if (reason.find('\0') != std::string::npos) throw core::InvalidArgument("reason", "must not hold NUL");
    if (reason.size() > kMaxReasonChars) {
        throw core::InvalidArgument("reason", "must be at most " + std::to_string(kMaxReasonChars) + " bytes");
    }
    const TimePoint now = Now();
    PlanDecision out;
    if (!approve) {
        storage::CloseProposal(tx, pending->id, "rejected", actor.user_id, reason, now);
        pending->status = "rejected";
        pending->decided_by = actor.user_id;
        pending->reason = reason;
        pending->decided_at = now;
        v1::PayoutPlanVersionRejected e;
        e.set_clan_id(clan_id);
        e.set_proposal_id(pending->proposal_id);
        e.set_version(pending->version);
        e.set_outcome("rejected");
        e.set_reason(reason);
        e.set_proposed_by(pending->proposed_by);
        e.set_clan_name(clan->name);
        runtime_.Publish(tx, clan_id, e);
        out.proposal = *pending;
        return out;
    }
    const auto in_force = storage::PlanInForce(tx, clan_id, proposal_id);
    if (!in_force || in_force->version != pending->base_version) {
        throw core::FailedPrecondition("the plan moved past the proposal's base version: the clan proposes again");
    }
    // Leaves mark the proposals naming the member stale in their own transaction; this is the last guard.
    if (const auto gone = DepartedMembers(*clan, pending->shares, {}); !gone.empty()) {
        throw core::FailedPrecondition("members named in the proposal left the clan: " + ShortList(gone));
    }
    storage::PayoutPlanRecord plan;
    plan.clan_id = clan_id;
    plan.proposal_id = pending->proposal_id;
    plan.version = pending->version;
    plan.leader_id = clan->Head().user_id;  // the HEAD of the day: the commission of this version is theirs
    plan.split_mode = pending->split_mode;
    plan.shares = pending->shares;
    plan.locked_at = now;
    plan.contract_id = contract->contract_id;
    plan.proposed_by = pending->proposed_by;
    plan.approved_by = actor.user_id;
    plan.applies_to = storage::OpenMilestones(tx, contract->contract_id);
    plan.in_force = true;
    if (!storage::InsertPlan(tx, plan)) throw core::FailedPrecondition("that version of the plan is locked already");
    storage::CloseProposal(tx, pending->id, "approved", actor.user_id, reason, now);
    pending->status = "approved";
    pending->decided_by = actor.user_id;
    pending->reason = reason;
    pending->decided_at = now;
    PublishLocked(tx, clan->name, plan);
    out.proposal = *pending;
    out.plan = plan;
    return out;
}

std::vector<storage::PlanProposalRecord> ClanFlows::ListPlanProposals(pqxx::work& tx, const std::string& clan_id,
                                                                      const Actor& actor, int limit) {
    const Clan clan = View(tx, clan_id);
    if (clan.FindMember(actor.user_id) != nullptr) return storage::ListProposals(tx, clan_id, std::nullopt, limit);
    if (storage::IsClientOf(tx, clan_id, actor.user_id)) {
        return storage::ListProposals(tx, clan_id, actor.user_id, limit);
    }
    throw core::PermissionDenied("only the clan's members and its contracts' clients see its plan proposals");
}

void ClanFlows::OnMembersGone(pqxx::work& tx, const Clan& clan, const std::vector<Change>& changes) {
    const TimePoint now = Now();
    for (const auto& change : changes) {
        if (change.kind != Change::Kind::kLeft && change.kind != Change::Kind::kRemoved) continue;
        const std::string how = change.kind == Change::Kind::kLeft ? "left" : "removed";
        for (const auto& plan : storage::ActivePlansNaming(tx, clan.id, change.user_id)) {
            storage::FlagPlan(tx, plan.proposal_id, plan.version, change.user_id);
            v1::PayoutPlanNeedsVersion e;
            e.set_clan_id(clan.id);
            e.set_clan_name(clan.name);
            e.set_proposal_id(plan.proposal_id);
            e.set_contract_id(plan.contract_id);
            e.set_version(plan.version);
            e.set_departed_user_id(change.user_id);
            e.set_how(how);
            for (const auto& m : clan.members) e.add_member_ids(m.user_id);
            runtime_.Publish(tx, clan.id, e);
            core::log::Info(
                "payout plan needs a new version",
                {{"clan_id", clan.id}, {"proposal_id", plan.proposal_id}, {"departed_user_id", change.user_id}});
        }
        for (const auto& pending : storage::PendingProposalsNaming(tx, clan.id, change.user_id)) {
            const std::string reason = "a member it names " + how + " the clan";
            storage::CloseProposal(tx, pending.id, "stale", "", reason, now);
            v1::PayoutPlanVersionRejected e;
            e.set_clan_id(clan.id);
            e.set_proposal_id(pending.proposal_id);
            e.set_version(pending.version);
            e.set_outcome("stale");
            e.set_reason(reason);
            e.set_proposed_by(pending.proposed_by);
            e.set_clan_name(clan.name);
            runtime_.Publish(tx, clan.id, e);
        }
    }
}

}  // namespace marketplace::clans
