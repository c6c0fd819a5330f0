#include "domain/team_plan.hpp"

#include <stdexcept>

#include "domain/text_rules.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::jobs {

std::int64_t MemberPool(std::int64_t amount) {
    return core::AllocateLargestRemainder(amount, {kPlatformFeeBps, kLeaderCommissionBps, kMemberPoolBps})[2];
}

std::string_view SplitModeName(SplitMode mode) { return mode == SplitMode::kBasisPoints ? "bps" : "fixed"; }

SplitMode ParseSplitMode(std::string_view name) {
    if (name == "bps") return SplitMode::kBasisPoints;
    if (name == "fixed") return SplitMode::kFixedAmounts;
    throw std::invalid_argument("unknown split mode " + std::string(name));
}

bool ManagesClanWork(const std::string& clan_role) {
    return clan_role == "head" || clan_role == "co_head" || clan_role == "admin";
}

TeamPlan ValidateTeamPlan(const std::vector<TeamMemberInput>& team, const std::vector<SplitShareInput>& split,
                          const core::Money& total, const ClanRoster& roster, const std::string& submitter) {
    if (roster.archived) throw core::FailedPrecondition("the clan is archived");
    const auto me = roster.roles.find(submitter);
    if (me == roster.roles.end() || !ManagesClanWork(me->second)) {
        throw core::PermissionDenied("only the clan's HEAD, CO_HEAD or ADMIN applies for the clan");
    }
    TeamPlan plan;
    if (team.empty()) throw core::InvalidArgument("team", "must name at least one member");
    if (team.size() > kMaxTeamMembers) {
        throw core::InvalidArgument("team", "must name at most " + std::to_string(kMaxTeamMembers) + " members");
    }
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < team.size(); ++i) {
        const auto& in = team[i];
        const std::string field = Indexed("team", i);
        if (in.user_id.empty()) throw core::InvalidArgument(field + ".user_id", "is required");
        if (roster.roles.count(in.user_id) == 0) {
            throw core::InvalidArgument(field + ".user_id", "is not a current member of the clan");
        }
        if (const auto seen = index.find(in.user_id); seen != index.end()) {
            throw core::InvalidArgument(field + ".user_id",
                                        "appears twice (also " + Indexed("team", seen->second) + ")");
        }
        index[in.user_id] = i;
        TeamMember m;
        m.user_id = in.user_id;
        m.role = RequireLine(field + ".role", in.role, kMaxTeamRoleChars);
        if (in.hours <= 0 || in.hours > kMaxMemberHours) {
            throw core::InvalidArgument(field + ".hours", "must be between 1 and " + std::to_string(kMaxMemberHours));
        }
        m.hours = in.hours;
        if (in.deliverables.empty())
            throw core::InvalidArgument(field + ".deliverables", "must have at least one item");
        if (in.deliverables.size() > kMaxDeliverables) {
            throw core::InvalidArgument(field + ".deliverables",
                                        "must have at most " + std::to_string(kMaxDeliverables) + " items");
        }
        for (std::size_t d = 0; d < in.deliverables.size(); ++d) {
            m.deliverables.push_back(
                RequireLine(Indexed(field + ".deliverables", d), in.deliverables[d], kMaxDeliverableChars));
        }
        plan.members.push_back(std::move(m));
    }

    plan.member_pool = MemberPool(total.minor_units());
    if (split.empty()) throw core::InvalidArgument("split", "must give every member of the team a share");
    const bool fixed = split.front().amount.present;
    plan.mode = fixed ? SplitMode::kFixedAmounts : SplitMode::kBasisPoints;
    std::vector<std::int64_t> weights(plan.members.size(), -1);
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < split.size(); ++i) {
        const auto& s = split[i];
        const std::string field = Indexed("split", i);
        const auto at = index.find(s.user_id);
        if (at == index.end()) throw core::InvalidArgument(field + ".user_id", "is not in the team plan");
        if (weights[at->second] >= 0) throw core::InvalidArgument(field + ".user_id", "has a share already");
        if (s.amount.present != fixed) {
            throw core::InvalidArgument(field, "mixes basis points and fixed amounts: use one kind for every share");
        }
        std::int64_t weight = 0;
        if (fixed) {
            if (s.share_bps != 0) throw core::InvalidArgument(field + ".share_bps", "must be empty with an amount");
            const auto money = RequirePositiveMoney(field + ".amount", s.amount);
            if (money.currency() != total.currency()) {
                throw core::InvalidArgument(
                    field + ".amount", "must be in " + std::string(total.currency().code()) + ", the job's currency");
            }
            weight = money.minor_units();
        } else {
            if (s.share_bps <= 0 || s.share_bps > 10000) {
                throw core::InvalidArgument(field + ".share_bps", "must be between 1 and 10000");
            }
            weight = s.share_bps;
        }
        weights[at->second] = weight;
        sum = core::CheckedAdd(sum, weight, field);
    }
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (weights[i] < 0) {
            throw core::InvalidArgument("split", Indexed("team", i) + " (" + plan.members[i].user_id +
                                                     ") has no share: the split must be complete");
        }
    }
    if (!fixed && sum != 10000) {
        throw core::InvalidArgument("split", "basis points must sum to 10000 (got " + std::to_string(sum) + ")");
    }
    if (fixed && sum != plan.member_pool) {
        throw core::InvalidArgument("split", "amounts must sum to the member pool, " +
                                                 std::to_string(plan.member_pool) + " minor units (87% of " +
                                                 std::to_string(total.minor_units()) + "); got " + std::to_string(sum));
    }
    for (std::size_t i = 0; i < plan.members.size(); ++i)
        plan.shares.push_back(Share{plan.members[i].user_id, weights[i]});
    return plan;
}

}  // namespace marketplace::jobs
