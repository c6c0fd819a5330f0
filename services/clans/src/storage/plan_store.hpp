#pragma once
// SQL for the payout plans of the clans' contracts: each locked version, the flag a departed member
// sets on the version in force, and the proposals of new versions waiting for the client.
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/plan_version.hpp"

namespace marketplace::clans::storage {

using PlanShareRecord = PlanShare;

/// A locked version of a contract's payout plan.
struct PayoutPlanRecord {
    std::string clan_id;
    std::string proposal_id;
    int version = 0;
    std::string leader_id;
    std::string split_mode;
    std::vector<PlanShareRecord> shares;
    TimePoint locked_at{};
    std::string contract_id;  // empty until ContractCreated reached the clan
    std::string proposed_by;
    std::string approved_by;
    // The milestones contracts paid by this version, plus for the version in force those not yet
    // accepted (computed on read from milestone_plan_versions; not stored).
    std::vector<std::string> applies_to;
    bool in_force = false;  // read only: the plan's highest version
    bool needs_new_version = false;
    std::vector<std::string> departed;
};

/// Inserts a plan version; false when that version of that proposal's plan exists already.
bool InsertPlan(pqxx::work& tx, const PayoutPlanRecord& plan);
/// The clan's plans, newest first (at most `limit`), each version marked in force or not.
std::vector<PayoutPlanRecord> ListPlans(pqxx::work& tx, const std::string& clan_id, int limit);
/// The version in force of the clan's plan for `proposal_id`.
std::optional<PayoutPlanRecord> PlanInForce(pqxx::work& tx, const std::string& clan_id, const std::string& proposal_id);
/// The versions in force of the clan's plans that name `user_id` (as a member or the leader) and whose
/// contract is not over (a milestone not yet closed, or the contract not yet known).
std::vector<PayoutPlanRecord> ActivePlansNaming(pqxx::work& tx, const std::string& clan_id, const std::string& user_id);
/// Marks a version as needing a new one, adding `user_id` to its departed members.
void FlagPlan(pqxx::work& tx, const std::string& proposal_id, int version, const std::string& user_id);

/// The contract of the clan's accepted `proposal_id` as the read model knows it.
struct ContractRef {
    std::string contract_id;
    std::string client_id;
};
std::optional<ContractRef> ContractOfProposal(pqxx::work& tx, const std::string& clan_id,
                                              const std::string& proposal_id);
/// The contract's milestones not yet accepted nor closed (released, refunded, settled or cancelled),
/// in id order: those the version in force will pay unless contracts accepts them before it learns
/// of a newer version.
std::vector<std::string> OpenMilestones(pqxx::work& tx, const std::string& contract_id);
/// Records the plan version contracts applied to a milestone (MilestoneAccepted, MilestoneDisputed);
/// the latest event wins.
void RecordPlanApplied(pqxx::work& tx, const std::string& milestone_id, int version, TimePoint now);
/// Whether `user_id` is the client of one of the clan's contracts.
bool IsClientOf(pqxx::work& tx, const std::string& clan_id, const std::string& user_id);

/// A proposal of a new plan version.
struct PlanProposalRecord {
    std::string id;
    std::string clan_id;
    std::string proposal_id;
    std::string contract_id;
    std::string client_id;
    int base_version = 0;
    int version = 0;
    std::string proposed_by;
    std::string split_mode;
    std::vector<PlanShareRecord> shares;
    std::string note;
    std::string status;  // "pending", "approved", "rejected", "stale"
    std::string decided_by;
    std::string reason;
    TimePoint created_at{};
    std::optional<TimePoint> decided_at;
};

/// Inserts a pending proposal; false when one is pending for that plan already.
bool InsertProposal(pqxx::work& tx, const PlanProposalRecord& proposal);
/// The pending proposal of the clan's plan for `proposal_id`, locked FOR UPDATE.
std::optional<PlanProposalRecord> PendingProposal(pqxx::work& tx, const std::string& clan_id,
                                                  const std::string& proposal_id);
/// Closes a pending proposal: "approved", "rejected" or "stale".
void CloseProposal(pqxx::work& tx, const std::string& id, const std::string& status, const std::string& decided_by,
                   const std::string& reason, TimePoint now);
/// The clan's pending proposals that name `user_id`.
std::vector<PlanProposalRecord> PendingProposalsNaming(pqxx::work& tx, const std::string& clan_id,
                                                       const std::string& user_id);
/// The clan's proposals, newest first; only those of `client_id`'s contracts when it is given.
std::vector<PlanProposalRecord> ListProposals(pqxx::work& tx, const std::string& clan_id,
                                              const std::optional<std::string>& client_id, int limit);

}  // namespace marketplace::clans::storage
