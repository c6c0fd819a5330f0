#pragma once
// Template definitions for clan_payout.hpp.
#include "marketplace/core/errors.hpp"

namespace marketplace::contracts {

template <typename RoleOf>
void RequireEveryPayeeInClan(const ClanPlanVersion& plan, RoleOf&& role_of) {
    const auto held = [&](const std::string& user_id, const std::string& who) {
        throw core::FailedPrecondition("the release is held: " + who + " " + user_id + ", named in version " +
                                       std::to_string(plan.version) +
                                       " of the clan's payout plan, is no longer a member of the clan; a newer "
                                       "version of the plan must be locked before this milestone is paid");
    };
    if (role_of(plan.leader_id).empty()) held(plan.leader_id, "the leader");
    for (const auto& share : plan.shares) {
        if (role_of(share.user_id).empty()) held(share.user_id, "member");
    }
}

}  // namespace marketplace::contracts
