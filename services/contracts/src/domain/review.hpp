#pragma once
// Reviews: after a milestone is paid, each party may review the other once for it.
#include <cstdint>
#include <string>

#include "domain/contract.hpp"

namespace marketplace::contracts {

inline constexpr std::size_t kMaxReviewTextChars = 5000;
inline constexpr std::int32_t kMinRating = 1;
inline constexpr std::int32_t kMaxRating = 5;

struct ReviewInput {
    std::int32_t quality = 0;
    std::int32_t communication = 0;
    std::int32_t timeliness = 0;
    std::string text;
};

/// Throws core::InvalidArgument naming the field: ratings 1..5, text at most 5000 characters.
void ValidateReview(const ReviewInput& input);

/// Throws core::FailedPrecondition unless the milestone is paid (reviews come after payment).
void RequireReviewable(MilestoneState state);

}  // namespace marketplace::contracts
