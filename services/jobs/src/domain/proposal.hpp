#pragma once
// A proposal's milestone plan and its rules: amounts positive, in the job's currency and summing
// to the total; due dates in order within the promised delivery; explicit counts and sizes.
// Pure: no database, no gRPC.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/money_input.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/core/money.hpp"

namespace marketplace::jobs {

enum class ProposalStatus { kSubmitted, kWithdrawn, kDeclined, kAccepted };

/// "submitted", "withdrawn", "declined", "accepted" (the stored form).
std::string_view ProposalStatusName(ProposalStatus status);
/// The inverse of ProposalStatusName; std::invalid_argument for anything else.
ProposalStatus ParseProposalStatus(std::string_view name);

/// A google.protobuf.Timestamp as it arrived.
struct TimestampInput {
    bool present = false;
    std::int64_t seconds = 0;
    std::int32_t nanos = 0;
};

struct MilestoneInput {
    std::string title;
    std::string description;
    MoneyInput amount;
    TimestampInput due_date;
    std::vector<std::string> definition_of_done;
};

struct ProposalInput {
    std::string cover_letter;
    std::vector<MilestoneInput> milestones;
    MoneyInput total;
    std::int32_t delivery_days = 0;
};

struct PlannedMilestone {
    std::string title;
    std::string description;
    core::Money amount;
    core::Clock::TimePoint due_date;  // whole microseconds
    std::vector<std::string> definition_of_done;
};

struct ProposalPlan {
    std::string cover_letter;
    std::vector<PlannedMilestone> milestones;
    core::Money total;
    std::int32_t delivery_days = 0;
};

/// Validates a proposal for a job priced in `job_currency`, submitted at `now`. Errors name the
/// field: "milestones[1].amount: must be > 0", "milestones[0].amount: must be in EUR, the job's
/// currency", "total: must equal the sum of the milestone amounts (150.00 EUR)",
/// "milestones[2].due_date: must not be before milestones[1].due_date", ...
ProposalPlan ValidateProposal(const ProposalInput& input, const core::Currency& job_currency,
                              core::Clock::TimePoint now);

/// A Timestamp as a time point truncated to whole microseconds; "<field>: is required" when
/// absent, "<field>: is not a valid timestamp" outside 0001-01-01..9999-12-31 or with bad nanos.
core::Clock::TimePoint RequireTimestamp(std::string_view field, const TimestampInput& input);

/// core::FailedPrecondition unless the proposal is live (submitted).
void RequireLiveProposal(ProposalStatus status, std::string_view action);

}  // namespace marketplace::jobs
