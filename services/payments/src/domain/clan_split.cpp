#include "domain/clan_split.hpp"

#include "domain/release_plan.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/money.hpp"

namespace marketplace::payments {

ClanSplitMode ParseClanSplitMode(const std::string& name, const std::string& field) {
    if (name == "bps") return ClanSplitMode::kBasisPoints;
    if (name == "fixed") return ClanSplitMode::kFixedAmounts;
    throw core::InvalidArgument(field, "must be \"bps\" or \"fixed\", got '" + name.substr(0, 16) + "'");
}

ClanReleasePlan PlanClanRelease(std::int64_t amount, std::int64_t fee_bps, std::int64_t commission_bps,
                                const ClanPlanInForce& plan) {
    if (amount <= 0) throw core::InvalidArgument("amount", "must be > 0");
    if (fee_bps < 0 || fee_bps > kBasisPointsWhole) throw core::InvalidArgument("fee_bps", "must be within 0..10000");
    if (commission_bps < 0 || commission_bps > kBasisPointsWhole - fee_bps) {
        throw core::InvalidArgument("commission_bps",
                                    "must be within 0.." + std::to_string(kBasisPointsWhole - fee_bps));
    }
    core::RequireUuid(plan.leader_id, "leader_id");
    if (plan.shares.empty()) throw core::InvalidArgument("shares", "must name at least one member");
    if (plan.shares.size() > kMaxClanShares) {
        throw core::InvalidArgument("shares", "must name at most " + std::to_string(kMaxClanShares) + " members");
    }
    std::int64_t weight_sum = 0;
    for (std::size_t i = 0; i < plan.shares.size(); ++i) {
        const std::string field = "shares[" + std::to_string(i) + "]";
        core::RequireUuid(plan.shares[i].user_id, field + ".user_id");
        const std::int64_t w = plan.shares[i].weight;
        if (w <= 0) throw core::InvalidArgument(field + ".weight", "must be > 0");
        if (plan.mode == ClanSplitMode::kBasisPoints && w > kBasisPointsWhole) {
            throw core::InvalidArgument(field + ".weight", "must be within 1..10000 basis points");
        }
        if (w > kMaxClanWeightSum - weight_sum) {
            throw core::InvalidArgument("shares", "weights must sum to at most " + std::to_string(kMaxClanWeightSum));
        }
        weight_sum += w;
    }
    if (plan.mode == ClanSplitMode::kBasisPoints && weight_sum != kBasisPointsWhole) {
        throw core::InvalidArgument("shares", "basis points must sum to 10000, got " + std::to_string(weight_sum));
    }
    // One allocation over every part: the fee's weight is fee_bps x (sum of the members' weights),
    // the commission's commission_bps x sum, member i's pool_bps x weight_i, so each weight is its
    // exact share of the escrow times 10000 x sum. Bounded: 10000 x 10^14 < 2^63.
    const std::int64_t pool_bps = kBasisPointsWhole - fee_bps - commission_bps;
    std::vector<std::int64_t> weights;
    weights.reserve(plan.shares.size() + 2);
    weights.push_back(fee_bps * weight_sum);
    weights.push_back(commission_bps * weight_sum);
    for (const auto& s : plan.shares) weights.push_back(pool_bps * s.weight);
    const auto parts = core::AllocateLargestRemainder(amount, weights);
    ClanReleasePlan out;
    out.fee = parts[0];
    out.commission = parts[1];
    out.member_amounts.assign(parts.begin() + 2, parts.end());
    return out;
}

}  // namespace marketplace::payments
