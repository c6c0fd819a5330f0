#include "domain/clan_payout.hpp"

#include <algorithm>

#include "marketplace/core/errors.hpp"

namespace marketplace::contracts {

bool ActsForClan(std::string_view clan_role) {
    return clan_role == "head" || clan_role == "co_head" || clan_role == "admin";
}

Viewer ClanViewerOf(std::string_view subject, std::string_view role, std::string_view client_id,
                    std::string_view clan_role) {
    if (!subject.empty() && subject == client_id) return Viewer::kClient;
    if (ActsForClan(clan_role)) return Viewer::kFreelancer;
    if (clan_role == "member") return Viewer::kClanMember;
    return role == "admin" ? Viewer::kAdmin : Viewer::kStranger;
}

const ClanPlanVersion& PlanInForce(const std::vector<ClanPlanVersion>& versions) {
    if (versions.empty()) {
        throw core::FailedPrecondition("the clan's payout plan has not reached contracts yet; try again in a moment");
    }
    return *std::max_element(versions.begin(), versions.end(),
                             [](const auto& a, const auto& b) { return a.version < b.version; });
}

}  // namespace marketplace::contracts
