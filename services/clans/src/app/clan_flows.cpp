#include "app/clan_flows.hpp"

#include "marketplace/clans/v1/events.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "storage/clan_store.hpp"
#include "storage/plan_store.hpp"

namespace marketplace::clans {

TimePoint ClanFlows::Now() const { return std::chrono::floor<std::chrono::microseconds>(runtime_.clock()->Now()); }

Clan ClanFlows::Create(pqxx::work& tx, const Actor& actor, const NewClanInput& input) {
    const Clan clan = CreateClan(input, actor, core::NewUuidV7(), Now());
    if (!storage::InsertClan(tx, clan)) throw core::Conflict("the handle '" + clan.handle + "' is taken");
    v1::ClanCreated e;
    e.set_clan_id(clan.id);
    e.set_handle(clan.handle);
    e.set_name(clan.name);
    e.set_head_id(actor.user_id);
    runtime_.Publish(tx, clan.id, e);
    core::log::Info("clan created", {{"clan_id", clan.id}, {"handle", clan.handle}});
    return clan;
}

Clan ClanFlows::Act(pqxx::work& tx, const std::string& clan_id, const Command& command, const Actor& actor) {
    auto before = storage::LoadClan(tx, clan_id, true);
    if (!before) throw core::NotFound("clan not found");
    Command c = command;
    if (auto* archive = std::get_if<command::Archive>(&c)) archive->facts = storage::FactsOf(tx, clan_id);
    const TimePoint now = Now();
    const Decision decision = Decide(*before, c, actor, now);
    storage::SaveClan(tx, *before, decision, now);
    for (const auto& change : decision.changes) Publish(tx, decision.clan, change, actor);
    OnMembersGone(tx, decision.clan, decision.changes);
    return decision.clan;
}

Clan ClanFlows::View(pqxx::work& tx, const std::string& clan_id) const {
    auto clan = storage::LoadClan(tx, clan_id, false);
    if (!clan) throw core::NotFound("clan not found");
    return *clan;
}

void ClanFlows::Publish(pqxx::work& tx, const Clan& clan, const Change& change, const Actor& actor) const {
    switch (change.kind) {
        case Change::Kind::kInvited: {
            v1::ClanMemberInvited e;
            e.set_clan_id(clan.id);
            e.set_clan_name(clan.name);
            e.set_user_id(change.user_id);
            e.set_invited_by(actor.user_id);
            runtime_.Publish(tx, clan.id, e);
            break;
        }
        case Change::Kind::kJoinRequested: {
            v1::ClanJoinRequested e;
            e.set_clan_id(clan.id);
            e.set_clan_name(clan.name);
            e.set_user_id(change.user_id);
            for (const auto& m : clan.members) {
                if (IsManager(m.role)) e.add_deciders(m.user_id);
            }
            runtime_.Publish(tx, clan.id, e);
            break;
        }
        case Change::Kind::kArchived: {
            v1::ClanArchived e;
            e.set_clan_id(clan.id);
            e.set_archived_by(actor.user_id);
            runtime_.Publish(tx, clan.id, e);
            break;
        }
        default: {
            v1::ClanMemberChanged e;
            e.set_clan_id(clan.id);
            e.set_user_id(change.user_id);
            e.set_change(std::string(ChangeName(change.kind)));
            e.set_role(change.role ? std::string(RoleName(*change.role)) : std::string());
            e.set_actor_id(actor.user_id);
            e.set_members_version(clan.members_version);
            e.set_clan_name(clan.name);
            runtime_.Publish(tx, clan.id, e);
            break;
        }
    }
    core::log::Info(
        "clan changed",
        {{"clan_id", clan.id}, {"change", std::string(ChangeName(change.kind))}, {"user_id", change.user_id}});
}

bool ClanFlows::OnContractCreated(pqxx::work& tx, const std::string& contract_id, const std::string& proposal_id,
                                  const std::string& working_party_id, const std::string& client_id,
                                  const std::vector<std::string>& milestone_ids) {
    // FOR SHARE: an archive of the same clan (FOR UPDATE) waits, and then sees the contract.
    if (!core::IsUuid(working_party_id) || !storage::LockClanShared(tx, working_party_id)) return false;
    const bool recorded =
        storage::RecordContract(tx, contract_id, core::IsUuid(proposal_id) ? proposal_id : std::string(),
                                working_party_id, client_id, milestone_ids, Now());
    if (recorded)
        core::log::Info("clan contract recorded", {{"clan_id", working_party_id}, {"contract_id", contract_id}});
    return recorded;
}

bool ClanFlows::OnClanHired(pqxx::work& tx, const std::string& clan_id, const std::string& proposal_id,
                            const std::string& leader_id, const std::string& split_mode,
                            const std::vector<storage::PlanShareRecord>& shares) {
    if (!core::IsUuid(clan_id) || !storage::LockClanShared(tx, clan_id)) {
        core::log::Warn("a hire of an unknown clan ignored", {{"clan_id", clan_id}, {"proposal_id", proposal_id}});
        return false;
    }
    storage::PayoutPlanRecord plan;
    plan.clan_id = clan_id;
    plan.proposal_id = proposal_id;
    plan.version = 1;
    plan.leader_id = leader_id;
    plan.split_mode = split_mode;
    plan.shares = shares;
    plan.locked_at = Now();
    if (!storage::InsertPlan(tx, plan)) return false;
    const auto clan = storage::LoadClan(tx, clan_id, false);
    PublishLocked(tx, clan ? clan->name : std::string(), plan);
    return true;
}

void ClanFlows::OnMilestoneFunded(pqxx::work& tx, const std::string& milestone_id) {
    storage::MarkMilestone(tx, milestone_id, "funded", Now());
}

void ClanFlows::OnMilestoneClosed(pqxx::work& tx, const std::string& milestone_id) {
    storage::MarkMilestone(tx, milestone_id, "closed", Now());
}

void ClanFlows::OnPlanApplied(pqxx::work& tx, const std::string& milestone_id, int version) {
    if (version < 1) return;  // an event without a version names no plan
    storage::RecordPlanApplied(tx, milestone_id, version, Now());
}

}  // namespace marketplace::clans
