#pragma once
// The clans' use cases: lock, load, decide (domain/clan.hpp), save, and publish the changes to
// clans.events.v1 in the same transaction (the outbox). Also the read model of the clans' contracts,
// fed by contracts' and payments' events, which the archive rule reads.
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/clan.hpp"
#include "domain/plan_version.hpp"
#include "domain/work.hpp"
#include "marketplace/service/runtime.hpp"
#include "storage/clan_store.hpp"

namespace marketplace::clans {

class ClanFlows final {
public:
    explicit ClanFlows(service::Runtime& runtime) : runtime_(runtime) {}

    /// Creates a clan; core::Conflict when the handle is taken.
    Clan Create(pqxx::work& tx, const Actor& actor, const NewClanInput& input);
    /// Applies a command to the clan; NOT_FOUND for an unknown clan.
    Clan Act(pqxx::work& tx, const std::string& clan_id, const Command& command, const Actor& actor);
    /// The clan (any signed-in user may see its page).
    Clan View(pqxx::work& tx, const std::string& clan_id) const;

    /// The read model: a contract created with a clan as its working party (ignored when
    /// `working_party_id` names no clan). Returns whether it was recorded.
    bool OnContractCreated(pqxx::work& tx, const std::string& contract_id, const std::string& proposal_id,
                           const std::string& working_party_id, const std::string& client_id,
                           const std::vector<std::string>& milestone_ids);
    /// A clan was hired (jobs' ProposalAccepted with a clan): locks version 1 of the contract's
    /// payout plan and publishes PayoutSplitLocked; false when the clan is unknown or it was locked already.
    bool OnClanHired(pqxx::work& tx, const std::string& clan_id, const std::string& proposal_id,
                     const std::string& leader_id, const std::string& split_mode,
                     const std::vector<storage::PlanShareRecord>& shares);
    /// A HEAD, CO_HEAD or ADMIN proposes the next version of the clan's plan for `proposal_id`
    /// (domain/plan_version.hpp); the contract's client is asked (PayoutPlanVersionProposed).
    storage::PlanProposalRecord ProposePlanVersion(pqxx::work& tx, const std::string& clan_id,
                                                   const std::string& proposal_id, const Actor& actor, int base_version,
                                                   const std::vector<PlanTeamInput>& team,
                                                   const std::vector<PlanSplitInput>& split, const std::string& note);
    struct PlanDecision {
        storage::PlanProposalRecord proposal;
        std::optional<storage::PayoutPlanRecord> plan;  // the locked version, when approved
    };
    /// The contract's client approves (the version is locked, PayoutSplitLocked) or rejects the
    /// pending proposal of version `version`.
    PlanDecision DecidePlanVersion(pqxx::work& tx, const std::string& clan_id, const std::string& proposal_id,
                                   const Actor& actor, int version, bool approve, const std::string& reason);
    /// The proposals `actor` may see: all for the clan's members, their own contracts' for a client
    /// of the clan; PERMISSION_DENIED for anyone else.
    std::vector<storage::PlanProposalRecord> ListPlanProposals(pqxx::work& tx, const std::string& clan_id,
                                                               const Actor& actor, int limit);

    /// Work packages and tasks (domain/work.hpp); each change publishes its event.
    WorkPackage CreateWorkPackage(pqxx::work& tx, const std::string& clan_id, const Actor& actor,
                                  const std::string& contract_id, const std::string& milestone_id,
                                  const NewWorkPackageInput& input);
    struct PackageWithTasks {
        WorkPackage package;
        std::vector<ClanTask> tasks;
    };
    /// The clan's packages with their tasks, for its members only.
    std::vector<PackageWithTasks> ListWork(pqxx::work& tx, const std::string& clan_id, const Actor& actor,
                                           const std::string& contract_id, int limit);
    ClanTask CreateTask(pqxx::work& tx, const std::string& clan_id, const std::string& package_id, const Actor& actor,
                        const NewTaskInput& input);
    ClanTask UpdateTask(pqxx::work& tx, const std::string& clan_id, const std::string& task_id, const Actor& actor,
                        const TaskPatch& patch);

    /// A milestone's escrow was funded.
    void OnMilestoneFunded(pqxx::work& tx, const std::string& milestone_id);
    /// A milestone ended: released, refunded, settled or cancelled.
    void OnMilestoneClosed(pqxx::work& tx, const std::string& milestone_id);
    /// contracts accepted (or held for a dispute) a milestone under this version of its payout plan.
    void OnPlanApplied(pqxx::work& tx, const std::string& milestone_id, int version);

    /// Now, to the microsecond the database keeps.
    TimePoint Now() const;

private:
    /// Members who left or were removed: the versions in force naming them need a new version, and
    /// pending proposals naming them go stale; the clan's members are told.
    void OnMembersGone(pqxx::work& tx, const Clan& clan, const std::vector<Change>& changes);
    void PublishLocked(pqxx::work& tx, const std::string& clan_name, const storage::PayoutPlanRecord& plan);
    void Publish(pqxx::work& tx, const Clan& clan, const Change& change, const Actor& actor) const;

    service::Runtime& runtime_;
};

}  // namespace marketplace::clans
