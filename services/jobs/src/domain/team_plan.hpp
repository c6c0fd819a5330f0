#pragma once
// A clan's application: the team plan (who does what, for how many hours, delivering what) and the
// payout split of the member pool, validated against the clan's current roster. Pure: the roster
// is read from the clans service by the caller (app/clans_reader.hpp).
//
// The escrow of every released milestone of a clan's contract is divided into the platform fee
// (10%), the leader's commission (3%) and the member pool (87%) by largest remainder; the pool is
// divided among the plan's members by the split. A split is either basis points of the pool
// (summing to 10000) or fixed amounts (summing to the pool of the proposal's total); fixed amounts
// are the weights by which each milestone's pool is divided.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "domain/money_input.hpp"
#include "marketplace/core/money.hpp"

namespace marketplace::jobs {

inline constexpr std::int64_t kPlatformFeeBps = 1000;
inline constexpr std::int64_t kLeaderCommissionBps = 300;
inline constexpr std::int64_t kMemberPoolBps = 8700;
inline constexpr std::size_t kMaxTeamMembers = 50;
inline constexpr std::int32_t kMaxMemberHours = 10000;
inline constexpr std::size_t kMaxDeliverables = 20;
inline constexpr std::size_t kMaxDeliverableChars = 500;
inline constexpr std::size_t kMaxTeamRoleChars = 80;

/// The member pool of `amount`: its 87% share when the amount is divided 10% / 3% / 87% by largest
/// remainder (ties to the fee, then the commission).
std::int64_t MemberPool(std::int64_t amount);

struct TeamMemberInput {
    std::string user_id;
    std::string role;
    std::int32_t hours = 0;
    std::vector<std::string> deliverables;
};

struct SplitShareInput {
    std::string user_id;
    std::int32_t share_bps = 0;
    MoneyInput amount;  // present for a fixed amount
};

struct TeamMember {
    std::string user_id;
    std::string role;
    std::int32_t hours = 0;
    std::vector<std::string> deliverables;
};

enum class SplitMode { kBasisPoints, kFixedAmounts };
std::string_view SplitModeName(SplitMode mode);  // "bps", "fixed"
SplitMode ParseSplitMode(std::string_view name);

struct Share {
    std::string user_id;
    std::int64_t weight = 0;  // basis points, or the fixed amount in minor units
};

struct TeamPlan {
    std::vector<TeamMember> members;
    SplitMode mode = SplitMode::kBasisPoints;
    std::vector<Share> shares;  // in the order of `members`
    std::int64_t member_pool = 0;
};

/// The clan as the clans service shows it: each current member's role ("head", "co_head", "admin",
/// "member").
struct ClanRoster {
    std::string clan_id;
    std::map<std::string, std::string> roles;
    std::string head_id;
    bool archived = false;
};

/// Validates a clan's team plan and split for a proposal of `total` submitted by `submitter`.
/// core::PermissionDenied unless the submitter is the clan's HEAD, CO_HEAD or ADMIN; errors name the
/// field: "team[2].user_id: is not a current member of the clan", "team[3].user_id: appears twice
/// (also team[0])", "split: basis points must sum to 10000 (got 9900)", "split[1].user_id:
/// is not in the team plan", ...
TeamPlan ValidateTeamPlan(const std::vector<TeamMemberInput>& team, const std::vector<SplitShareInput>& split,
                          const core::Money& total, const ClanRoster& roster, const std::string& submitter);

/// May this clan role apply to jobs and manage plans?
bool ManagesClanWork(const std::string& clan_role);

}  // namespace marketplace::jobs
