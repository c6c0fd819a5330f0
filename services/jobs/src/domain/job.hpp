#pragma once
// A job's fields and its rules: what a valid job is, what an edit may change, and which states
// allow which operations. Pure: no database, no gRPC.
#include <string>
#include <string_view>
#include <vector>

#include "domain/money_input.hpp"
#include "marketplace/core/money.hpp"

namespace marketplace::jobs {

enum class JobStatus { kOpen, kInProgress, kClosed };

/// "open", "in_progress", "closed" (the stored form).
std::string_view JobStatusName(JobStatus status);
/// The inverse of JobStatusName; std::invalid_argument for anything else.
JobStatus ParseJobStatus(std::string_view name);

enum class BudgetTypeInput { kUnspecified, kFixed, kHourly, kUnknown };

/// A job as the caller sent it.
struct JobInput {
    std::string title;
    std::string description;
    std::vector<std::string> stack;
    BudgetTypeInput budget_type = BudgetTypeInput::kUnspecified;
    MoneyInput budget_min;
    MoneyInput budget_max;
    bool nda_required = false;
    bool ip_assignment = false;
    std::string repo_url;
    std::string template_id;
};

/// A validated job (fixed price: the only budget type so far).
struct JobSpec {
    std::string title;
    std::string description;
    std::vector<std::string> stack;
    core::Money budget_min;
    core::Money budget_max;
    bool nda_required = false;
    bool ip_assignment = false;
    std::string repo_url;
    std::string template_id;

    const core::Currency& currency() const noexcept { return budget_min.currency(); }
};

/// Validates every field; errors name the field with `prefix` in front ("job." for an edit).
JobSpec ValidateJob(const JobInput& input, std::string_view prefix = "");

/// A stack: at most kMaxStackEntries entries, each a trimmed line of 1..kMaxStackEntryChars, no
/// duplicates ignoring case ("stack[3]: duplicates stack[1]").
std::vector<std::string> ValidateStack(std::string_view field, const std::vector<std::string>& stack);

/// Lower-cased stack entries: the keys stack filters compare (ASCII case folding).
std::string LowerAscii(std::string_view text);

/// Posting from a template: an empty stack takes the template's suggested stack. Does nothing
/// without a template id or for an unknown one (ValidateJob reports that).
void ApplyTemplateDefaults(JobInput& input);

/// The fields UpdateJob may change, as update_mask paths.
const std::vector<std::string>& UpdatableJobFields();

/// `current` with the fields named by `paths` taken from `changes`. Errors: "update_mask" when
/// empty, "update_mask.paths[i]" for a field that does not exist or cannot change.
JobInput ApplyJobUpdate(JobInput current, const JobInput& changes, const std::vector<std::string>& paths);

/// The input that validates to `spec` (the starting point of an edit).
JobInput ToInput(const JobSpec& spec);

/// core::FailedPrecondition unless the job is open: "the job is closed; only an open job can <action>".
void RequireOpen(JobStatus status, std::string_view action);

/// An edit may not change the currency while live proposals are priced in the old one.
void RequireCurrencyChangeAllowed(const JobSpec& before, const JobSpec& after, long live_proposals);

}  // namespace marketplace::jobs
