#pragma once
// SQL for the clan side of contracts: a read model of clans' rosters and locked payout plans (from
// clans.events.v1), the clan of a contract, the plan version each clan milestone was paid by, and
// the legs each clan release paid.
#include <cstdint>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "domain/clan_payout.hpp"
#include "domain/milestone.hpp"

namespace marketplace::contracts::storage {

/// Records a user's standing in a clan unless a later change (higher members_version) is recorded.
/// `role` is "head", "co_head", "admin", "member", or "" once they are not a member.
void RecordClanStanding(pqxx::work& tx, const std::string& clan_id, const std::string& user_id, const std::string& role,
                        const std::string& change, std::int64_t members_version, TimePoint now);

/// The user's role in the clan as the read model knows it; "" when not a member (or unknown).
std::string ClanRoleOf(pqxx::work& tx, const std::string& clan_id, const std::string& user_id);

/// Records a locked plan version; returns false when that version was recorded already.
bool RecordPayoutPlan(pqxx::work& tx, const std::string& proposal_id, const ClanPlanVersion& plan, TimePoint now);

/// Every locked version of the proposal's plan, oldest first.
std::vector<ClanPlanVersion> PayoutPlansOf(pqxx::work& tx, const std::string& proposal_id);

/// Marks the contract as worked by the clan.
void SetContractClan(pqxx::work& tx, const std::string& contract_id, const std::string& clan_id);

/// Remembers which plan version paid the milestone.
void SetMilestonePlanVersion(pqxx::work& tx, const std::string& milestone_id, std::int32_t version);

/// Records a release's legs for a clan milestone (replays record nothing twice).
void RecordClanPayouts(pqxx::work& tx, const std::string& milestone_id, const std::string& contract_id,
                       const std::string& clan_id, const std::vector<PaidLeg>& legs, TimePoint now);

/// A clan contract with its plans and what each of its milestones paid.
struct ClanContractPayouts {
    std::string contract_id;
    std::string proposal_id;
    std::string title;
    std::vector<ClanPlanVersion> plans;
    struct MilestonePayout {
        std::string milestone_id;
        std::string title;
        std::string state;
        std::string currency;
        std::int64_t amount = 0;
        std::optional<std::int32_t> plan_version;
        std::vector<PaidLeg> legs;
    };
    std::vector<MilestonePayout> milestones;
};

/// The clan's contracts (newest first, at most `limit`) with their plans and payouts.
std::vector<ClanContractPayouts> ClanPayoutsOf(pqxx::work& tx, const std::string& clan_id, int limit);

}  // namespace marketplace::contracts::storage
