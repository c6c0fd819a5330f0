#pragma once
// Dividing an escrow between the freelancer (released) and the client (refunded), without losing or
// creating a minor unit.
#include <cstdint>

namespace marketplace::disputes {

inline constexpr std::int32_t kWholeBps = 10000;

struct EscrowSplit {
    std::int64_t released = 0;  // to the freelancer (the platform fee is later taken from this part)
    std::int64_t refunded = 0;  // back to the client
};

/// Splits `escrow` (> 0) so that `release_bps` (0..10000) of it is released: each part is its exact
/// share rounded down, and the one minor unit left over (when the shares are not whole) goes to the
/// part with the larger remainder; on a tie (both remainders half a unit) it goes to the client.
/// The parts always sum to the escrow and neither is negative. Throws core::InvalidArgument naming
/// `release_bps` or `escrow`.
EscrowSplit SplitByBps(std::int64_t escrow, std::int32_t release_bps);

/// The released amount as basis points of the escrow, rounded to the nearest (for display).
std::int32_t BpsOf(std::int64_t released, std::int64_t escrow);

}  // namespace marketplace::disputes
