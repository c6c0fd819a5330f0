#include "domain/review.hpp"

#include "domain/text.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::contracts {
namespace {

void RequireRating(std::int32_t value, const char* field) {
    if (value < kMinRating || value > kMaxRating) {
        throw core::InvalidArgument(
            field, "must be between " + std::to_string(kMinRating) + " and " + std::to_string(kMaxRating));
    }
}

}  // namespace

void ValidateReview(const ReviewInput& input) {
    RequireRating(input.quality, "quality");
    RequireRating(input.communication, "communication");
    RequireRating(input.timeliness, "timeliness");
    RequireMaxChars(input.text, kMaxReviewTextChars, "text");
}

void RequireReviewable(MilestoneState state) {
    if (state != MilestoneState::kPaid) {
        throw core::FailedPrecondition("milestone is " + std::string(StateName(state)) +
                                       ": reviews can be left only after it is paid");
    }
}

}  // namespace marketplace::contracts
