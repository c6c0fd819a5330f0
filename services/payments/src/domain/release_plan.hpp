#pragma once
// How a released escrow is divided: the platform fee first (basis points of the amount, rounded
// down), then what remains among the payees by their shares with the largest-remainder method
// (ties to the earlier payee). The fee and the parts always sum exactly to the amount.
#include <cstdint>
#include <string>
#include <vector>

namespace marketplace::payments {

struct PayeeShare {
    std::string user_id;
    std::int64_t share_bps = 0;  // of the amount after the fee; the shares sum to 10000
};

struct ReleasePlan {
    std::int64_t fee = 0;
    std::vector<std::int64_t> payee_amounts;  // one per payee, in order
};

inline constexpr std::size_t kMaxPayees = 100;
inline constexpr std::int64_t kBasisPointsWhole = 10000;

/// Throws core::InvalidArgument naming the field: `amount` (> 0), `fee_bps` (0..10000),
/// `payees` (1..100 of them), `payees[i].user_id` (a UUID), `payees[i].share_bps` (1..10000, and
/// the shares sum to 10000).
ReleasePlan PlanRelease(std::int64_t amount, std::int64_t fee_bps, const std::vector<PayeeShare>& payees);

/// How a dispute's resolution divides an escrow: `released` (0..escrow) goes to the payees with the
/// platform fee taken only from it (PlanRelease), and the rest goes back to the client. The fee,
/// the payees' parts and the refund always sum exactly to the escrow.
struct SettlementPlan {
    ReleasePlan release;      // empty (fee 0, no amounts) when nothing is released
    std::int64_t refund = 0;  // back to the client
};

/// Throws core::InvalidArgument naming `escrow` (> 0), `released` (0..escrow) or what PlanRelease names.
SettlementPlan PlanSettlement(std::int64_t escrow, std::int64_t released, std::int64_t fee_bps,
                              const std::vector<PayeeShare>& payees);

}  // namespace marketplace::payments
