#include "domain/release_plan.hpp"

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/money.hpp"

namespace marketplace::payments {

ReleasePlan PlanRelease(std::int64_t amount, std::int64_t fee_bps, const std::vector<PayeeShare>& payees) {
    if (amount <= 0) throw core::InvalidArgument("amount", "must be > 0");
    if (fee_bps < 0 || fee_bps > kBasisPointsWhole) throw core::InvalidArgument("fee_bps", "must be within 0..10000");
    if (payees.empty()) throw core::InvalidArgument("payees", "must name at least one payee");
    if (payees.size() > kMaxPayees) {
        throw core::InvalidArgument("payees", "must name at most " + std::to_string(kMaxPayees) + " payees");
    }
    std::int64_t share_sum = 0;
    std::vector<std::int64_t> weights;
    weights.reserve(payees.size());
    for (std::size_t i = 0; i < payees.size(); ++i) {
        const std::string field = "payees[" + std::to_string(i) + "]";
        core::RequireUuid(payees[i].user_id, field + ".user_id");
        const std::int64_t share = payees[i].share_bps;
        if (share <= 0 || share > kBasisPointsWhole) {
            throw core::InvalidArgument(field + ".share_bps", "must be within 1..10000");
        }
        share_sum += share;
        weights.push_back(share);
    }
    if (share_sum != kBasisPointsWhole) {
        throw core::InvalidArgument("payees",
                                    "shares must sum to 10000 basis points, got " + std::to_string(share_sum));
    }
    ReleasePlan plan;
    plan.fee = core::BasisPointsOf(amount, fee_bps);
    plan.payee_amounts = core::AllocateLargestRemainder(amount - plan.fee, weights);
    return plan;
}

SettlementPlan PlanSettlement(std::int64_t escrow, std::int64_t released, std::int64_t fee_bps,
                              const std::vector<PayeeShare>& payees) {
    if (escrow <= 0) throw core::InvalidArgument("escrow", "must be > 0");
    if (released < 0 || released > escrow) {
        throw core::InvalidArgument("released", "must be within 0.." + std::to_string(escrow));
    }
    SettlementPlan plan;
    if (released > 0) {
        plan.release = PlanRelease(released, fee_bps, payees);
    } else {
        plan.release.payee_amounts.assign(payees.size(), 0);
    }
    plan.refund = escrow - released;
    return plan;
}

}  // namespace marketplace::payments
