#pragma once
// New versions of a hired clan's payout plan (pure: no database). A HEAD, CO_HEAD or ADMIN proposes
// a team and a split; the contract's client approves or rejects it; an approved proposal is locked as
// the plan's next version, names the clan's HEAD of that moment as the leader the commission goes to,
// and applies to the contract's milestones not yet released. One proposal waits at a time.
//
// The split keeps the mode of the version in force: basis points of the member pool summing to
// 10000, or fixed amounts (weights in minor units) summing to the version in force's total.
#include <cstdint>
#include <string>
#include <vector>

#include "domain/clan.hpp"

namespace marketplace::clans {

inline constexpr std::size_t kMaxPlanMembers = 50;
inline constexpr std::size_t kMaxPlanRoleChars = 80;
inline constexpr std::size_t kMaxPlanNoteChars = 1000;
inline constexpr std::int64_t kBasisPointsWhole = 10000;

struct PlanTeamInput {
    std::string user_id;
    std::string role;
};

struct PlanSplitInput {
    std::string user_id;
    std::int64_t weight = 0;
};

struct PlanShare {
    std::string user_id;
    std::string role;
    std::int64_t weight = 0;
};

/// The version in force, as far as a new version is checked against it.
struct VersionInForce {
    int version = 0;
    std::string split_mode;  // "bps" or "fixed"
    std::vector<PlanShare> shares;
};

/// Whether `actor` may propose plan versions for the clan (a current HEAD, CO_HEAD or ADMIN);
/// core::PermissionDenied otherwise, core::FailedPrecondition for an archived clan.
void RequirePlanManager(const Clan& clan, const Actor& actor);

/// Validates a proposed version against the clan's current roster and the version in force: the
/// proposer's rights first, then `base_version` (stale: FAILED_PRECONDITION), then each field.
/// Errors name the field: "team[2].user_id: is not a current member of the clan", "team[3].user_id:
/// appears twice (also team[0])", "split[1].user_id: is not in the team", "split: team[2] (...) has no
/// share: the split must be complete", "split: basis points must sum to 10000 (got 9900)".
std::vector<PlanShare> ValidatePlanVersion(const Clan& clan, const Actor& actor, const VersionInForce& in_force,
                                           int base_version, const std::vector<PlanTeamInput>& team,
                                           const std::vector<PlanSplitInput>& split, const std::string& note);

/// The members named in `shares` (or the leader) who are no longer members of `clan`.
std::vector<std::string> DepartedMembers(const Clan& clan, const std::vector<PlanShare>& shares,
                                         const std::string& leader_id);

}  // namespace marketplace::clans
