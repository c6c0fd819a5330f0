#pragma once
// How a clan's milestone is paid out of its escrow (docs/ARCHITECTURE.md, "Paying a clan"): the
// platform fee, the leader's commission and the member pool divided by the plan's weights, all in
// ONE largest-remainder allocation of the escrow in minor units. Every part is the floor of its
// exact share or one minor unit more, so each is within one minor unit of exact and the parts sum to
// the escrow. Leftover minor units go to the largest remainders; equal remainders go to the earlier
// part in the order fee, commission, then the members in the plan's order. Same input, same output.
#include <cstdint>
#include <string>
#include <vector>

namespace marketplace::payments {

/// The leader's commission on a clan's release: 3% of the escrow.
inline constexpr std::int64_t kLeaderCommissionBps = 300;
/// At most this many members in one plan (a clan holds at most 50).
inline constexpr std::size_t kMaxClanShares = 100;
/// The weights of one plan sum to at most this (fixed amounts in minor units; 10^14 is far above any
/// contract's member pool, and keeps every product of the allocation inside 128 bits).
inline constexpr std::int64_t kMaxClanWeightSum = 100'000'000'000'000;

enum class ClanSplitMode { kBasisPoints, kFixedAmounts };

struct ClanMemberWeight {
    std::string user_id;
    std::int64_t weight = 0;  // basis points of the pool, or a fixed amount (proportions only)
};

struct ClanPlanInForce {
    std::string leader_id;
    ClanSplitMode mode = ClanSplitMode::kBasisPoints;
    std::vector<ClanMemberWeight> shares;
};

struct ClanReleasePlan {
    std::int64_t fee = 0;
    std::int64_t commission = 0;
    std::vector<std::int64_t> member_amounts;  // one per share, in the plan's order
};

/// "bps" or "fixed"; anything else throws core::InvalidArgument on `field`.
ClanSplitMode ParseClanSplitMode(const std::string& name, const std::string& field = "split_mode");

/// Divides `amount` (> 0 minor units) into the fee (`fee_bps`), the leader's commission
/// (`commission_bps`) and the member pool (the rest of 10000) split by the weights. Throws
/// core::InvalidArgument naming the field: `amount`, `fee_bps`/`commission_bps` (each 0..10000, sum
/// at most 10000), `leader_id` and `shares[i].user_id` (UUIDs), `shares` (1..100; basis points sum
/// to 10000; weights sum to at most kMaxClanWeightSum), `shares[i].weight` (> 0; at most 10000 in
/// basis points).
ClanReleasePlan PlanClanRelease(std::int64_t amount, std::int64_t fee_bps, std::int64_t commission_bps,
                                const ClanPlanInForce& plan);

}  // namespace marketplace::payments
