#pragma once
// A clan's side of a contract (docs/ARCHITECTURE.md, "Paying a clan"): who acts for the clan, which
// version of the payout plan a release applies, and when a release must wait. Pure: no database.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/contract.hpp"

namespace marketplace::contracts {

/// One member's weight in a plan version: basis points of the member pool, or a fixed amount.
struct ClanPlanShare {
    std::string user_id;
    std::string role;  // their role in the job
    std::int64_t weight = 0;
};

/// A locked version of a clan contract's payout plan (clans' PayoutSplitLocked).
struct ClanPlanVersion {
    std::string clan_id;
    std::int32_t version = 0;
    std::string leader_id;
    std::string split_mode;  // "bps" or "fixed"
    std::vector<ClanPlanShare> shares;
};

/// One leg of a release as payments reported it.
struct PaidLeg {
    std::string kind;     // "platform_fee", "leader_commission", "member_share", "payee", "refund"
    std::string user_id;  // empty for the platform fee
    std::string currency;
    std::int64_t amount = 0;
};

/// True for the roles that act for a clan on its contracts: HEAD, CO_HEAD, ADMIN.
bool ActsForClan(std::string_view clan_role);

/// How the caller relates to a clan's contract, from their role in the clan ("" when not a member):
/// the client is kClient; HEAD/CO_HEAD/ADMIN are kFreelancer (they act for the working party); a
/// MEMBER is kClanMember (reads, never acts); anyone else as ViewerOf says (kAdmin or kStranger).
Viewer ClanViewerOf(std::string_view subject, std::string_view role, std::string_view client_id,
                    std::string_view clan_role);

/// The version in force: the highest locked one. Throws core::FailedPrecondition when none is known.
const ClanPlanVersion& PlanInForce(const std::vector<ClanPlanVersion>& versions);

/// Throws core::FailedPrecondition naming the first person the plan would pay (the leader, then the
/// members in the plan's order) whose role `role_of` reports as "" (left, removed, unknown): the
/// release waits until a newer version of the plan is locked.
template <typename RoleOf>
void RequireEveryPayeeInClan(const ClanPlanVersion& plan, RoleOf&& role_of);

}  // namespace marketplace::contracts

#include "domain/clan_payout_inl.hpp"
