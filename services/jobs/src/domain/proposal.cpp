#include "domain/proposal.hpp"

#include <chrono>
#include <stdexcept>

#include "domain/limits.hpp"
#include "domain/text_rules.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::jobs {
namespace {

constexpr std::int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr std::int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31T23:59:59Z

std::string Sub(const std::string& base, std::string_view name) { return base + "." + std::string(name); }

core::Money RequireJobCurrency(const std::string& field, const MoneyInput& input, const core::Currency& job_currency) {
    auto money = RequirePositiveMoney(field, input);
    if (money.currency() != job_currency) {
        throw core::InvalidArgument(field, "must be in " + std::string(job_currency.code()) + ", the job's currency");
    }
    return money;
}

PlannedMilestone ValidateMilestone(const std::string& field, const MilestoneInput& m,
                                   const core::Currency& job_currency) {
    auto title = RequireLine(Sub(field, "title"), m.title, kMaxTitleChars);
    auto description = RequireText(Sub(field, "description"), m.description, 0, kMaxMilestoneDescriptionChars);
    auto amount = RequireJobCurrency(Sub(field, "amount"), m.amount, job_currency);
    const auto due = RequireTimestamp(Sub(field, "due_date"), m.due_date);
    const auto done_field = Sub(field, "definition_of_done");
    if (m.definition_of_done.empty()) throw core::InvalidArgument(done_field, "must have at least one item");
    if (m.definition_of_done.size() > kMaxDoneItems) {
        throw core::InvalidArgument(done_field, "must have at most " + std::to_string(kMaxDoneItems) + " items");
    }
    std::vector<std::string> done;
    done.reserve(m.definition_of_done.size());
    for (std::size_t i = 0; i < m.definition_of_done.size(); ++i) {
        done.push_back(RequireLine(Indexed(done_field, i), m.definition_of_done[i], kMaxDoneItemChars));
    }
    return PlannedMilestone{std::move(title), std::move(description), amount, due, std::move(done)};
}

}  // namespace

std::string_view ProposalStatusName(ProposalStatus status) {
    switch (status) {
        case ProposalStatus::kSubmitted:
            return "submitted";
        case ProposalStatus::kWithdrawn:
            return "withdrawn";
        case ProposalStatus::kDeclined:
            return "declined";
        case ProposalStatus::kAccepted:
            return "accepted";
    }
    return "unknown";
}

ProposalStatus ParseProposalStatus(std::string_view name) {
    if (name == "submitted") return ProposalStatus::kSubmitted;
    if (name == "withdrawn") return ProposalStatus::kWithdrawn;
    if (name == "declined") return ProposalStatus::kDeclined;
    if (name == "accepted") return ProposalStatus::kAccepted;
    throw std::invalid_argument("unknown proposal status '" + std::string(name) + "'");
}

core::Clock::TimePoint RequireTimestamp(std::string_view field, const TimestampInput& input) {
    if (!input.present) throw core::InvalidArgument(std::string(field), "is required");
    if (input.seconds < kMinTimestampSeconds || input.seconds > kMaxTimestampSeconds || input.nanos < 0 ||
        input.nanos > 999'999'999) {
        throw core::InvalidArgument(std::string(field), "is not a valid timestamp");
    }
    // system_clock on Linux counts nanoseconds in int64: about +-292 years around 1970.
    constexpr std::int64_t kRepresentable = 9'000'000'000;  // seconds, ~285 years
    if (input.seconds > kRepresentable || input.seconds < -kRepresentable) {
        throw core::InvalidArgument(std::string(field), "is out of range");
    }
    return core::Clock::TimePoint(std::chrono::duration_cast<core::Clock::TimePoint::duration>(
        std::chrono::seconds(input.seconds) + std::chrono::microseconds(input.nanos / 1000)));
}

ProposalPlan ValidateProposal(const ProposalInput& input, const core::Currency& job_currency,
                              core::Clock::TimePoint now) {
    auto cover_letter = RequireText("cover_letter", input.cover_letter, 1, kMaxCoverLetterChars);
    if (input.delivery_days < 1 || input.delivery_days > kMaxDeliveryDays) {
        throw core::InvalidArgument("delivery_days", "must be between 1 and " + std::to_string(kMaxDeliveryDays));
    }
    if (input.milestones.empty()) throw core::InvalidArgument("milestones", "must have at least one milestone");
    if (input.milestones.size() > kMaxMilestones) {
        throw core::InvalidArgument("milestones",
                                    "must have at most " + std::to_string(kMaxMilestones) + " milestones");
    }
    const auto latest_due = now + std::chrono::hours(24) * input.delivery_days;
    std::vector<PlannedMilestone> milestones;
    milestones.reserve(input.milestones.size());
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < input.milestones.size(); ++i) {
        const auto field = Indexed("milestones", i);
        auto m = ValidateMilestone(field, input.milestones[i], job_currency);
        const auto due_field = field + ".due_date";
        if (m.due_date <= now) throw core::InvalidArgument(due_field, "must be in the future");
        if (m.due_date > latest_due) {
            throw core::InvalidArgument(
                due_field,
                "must be within delivery_days (" + std::to_string(input.delivery_days) + " days) of the submission");
        }
        if (!milestones.empty() && m.due_date < milestones.back().due_date) {
            throw core::InvalidArgument(due_field, "must not be before " + Indexed("milestones", i - 1) + ".due_date");
        }
        sum = core::CheckedAdd(sum, m.amount.minor_units(), field + ".amount");
        milestones.push_back(std::move(m));
    }
    const auto total = RequireJobCurrency("total", input.total, job_currency);
    const core::Money expected(sum, job_currency);
    if (total.minor_units() != sum) {
        throw core::InvalidArgument("total",
                                    "must equal the sum of the milestone amounts (" + expected.ToString() + ")");
    }
    return ProposalPlan{std::move(cover_letter), std::move(milestones), total, input.delivery_days};
}

void RequireLiveProposal(ProposalStatus status, std::string_view action) {
    if (status != ProposalStatus::kSubmitted) {
        throw core::FailedPrecondition("the proposal is " + std::string(ProposalStatusName(status)) +
                                       "; only a submitted proposal can be " + std::string(action));
    }
}

}  // namespace marketplace::jobs
