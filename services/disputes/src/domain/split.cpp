#include "domain/split.hpp"

#include <string>

#include "marketplace/core/errors.hpp"

namespace marketplace::disputes {
namespace {
__extension__ typedef __int128 Int128;  // escrow * 10000 may not fit in 64 bits
}  // namespace

EscrowSplit SplitByBps(std::int64_t escrow, std::int32_t release_bps) {
    if (escrow <= 0) throw core::InvalidArgument("escrow", "must be positive");
    if (release_bps < 0 || release_bps > kWholeBps) {
        throw core::InvalidArgument("release_bps", "must be between 0 and 10000, got " + std::to_string(release_bps));
    }
    // 128-bit products: an escrow near INT64_MAX times 10000 does not fit in 64 bits.
    const Int128 released_exact = static_cast<Int128>(escrow) * release_bps;
    const Int128 refunded_exact = static_cast<Int128>(escrow) * (kWholeBps - release_bps);
    EscrowSplit split;
    split.released = static_cast<std::int64_t>(released_exact / kWholeBps);
    split.refunded = static_cast<std::int64_t>(refunded_exact / kWholeBps);
    const auto released_rest = static_cast<std::int64_t>(released_exact % kWholeBps);
    const auto refunded_rest = static_cast<std::int64_t>(refunded_exact % kWholeBps);
    // The two remainders sum to 0 or to one whole unit (10000 ten-thousandths).
    if (split.released + split.refunded < escrow) {
        if (released_rest > refunded_rest) {
            ++split.released;
        } else {
            ++split.refunded;
        }
    }
    return split;
}

std::int32_t BpsOf(std::int64_t released, std::int64_t escrow) {
    if (escrow <= 0) return 0;
    const Int128 scaled = static_cast<Int128>(released) * kWholeBps * 2 + escrow;
    return static_cast<std::int32_t>(scaled / (static_cast<Int128>(escrow) * 2));
}

}  // namespace marketplace::disputes
