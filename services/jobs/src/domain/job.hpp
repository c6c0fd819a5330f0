#pragma once
// A job's fields and its rules: what a valid job is, what an edit may change, and which states
// allow which operations. Pure: no database, no gRPC.
//
// The job's lifecycle as a decider, Decide(job, command, caller, now):
//
//   (none) --Post(client)--> open
//   open --Edit(the job's client)--> open               (the currency only while no proposal is live)
//   open --Close(the job's client)--> closed            (the live proposals are declined)
//   open --Invite(the job's client)--> open             (an invite to a freelancer)
//   open --a proposal accepted (domain/proposal.hpp)--> in_progress
//
// A command that does not apply throws: core::NotFound without the job, core::PermissionDenied for
// someone else than its client, core::FailedPrecondition when the job is not open,
// core::InvalidArgument for bad input.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/access.hpp"
#include "domain/money_input.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/core/micros.hpp"
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

/// Microseconds since the Unix epoch: the resolution jobs keeps times in.
using core::MicrosSinceEpoch;

/// The aggregate: a job as stored.
struct Job {
    std::string job_id;
    std::string client_id;
    JobSpec spec;
    JobStatus status = JobStatus::kOpen;
    std::string accepted_proposal_id;  // empty unless in progress
    std::int64_t created_micros = 0;
    std::int64_t updated_micros = 0;
};

/// An invite of a freelancer to a job.
struct Invite {
    std::string invite_id;
    std::string job_id;
    std::string job_title;
    std::string client_id;
    std::string freelancer_id;
    std::string message;
    std::int64_t created_micros = 0;
};

namespace job_command {
/// A client posts a job (the template's suggested stack fills an empty stack).
struct Post {
    std::string job_id;  // the new job's id
    JobInput input;
};
/// The job's client changes the fields named by `paths` (update_mask paths).
struct Edit {
    JobInput changes;
    std::vector<std::string> paths;
    long live_proposals = 0;  // the job's live proposals (a currency change needs none)
};
/// The job's client closes it.
struct Close {};
/// The job's client invites a freelancer.
struct Invite {
    std::string invite_id;  // the new invite's id
    std::string freelancer_id;
    std::string message;
};
}  // namespace job_command

using JobCommand = std::variant<job_command::Post, job_command::Edit, job_command::Close, job_command::Invite>;

namespace job_effect {
/// Publish JobPosted.
struct AnnouncePosted {
    bool operator==(const AnnouncePosted&) const = default;
};
/// Decline every live proposal of the job.
struct DeclineLiveProposals {
    bool operator==(const DeclineLiveProposals&) const = default;
};
/// Store the invite (a second invite of one freelancer to one job is a conflict).
struct SendInvite {
    jobs::Invite invite;
};
}  // namespace job_effect

using JobEffect = std::variant<job_effect::AnnouncePosted, job_effect::DeclineLiveProposals, job_effect::SendInvite>;

/// How the job's row changes.
enum class JobSave {
    kNone,    // unchanged
    kInsert,  // a new job
    kSpec,    // its fields
    kStatus,  // its status (and accepted proposal)
};

struct JobDecision {
    Job job;  // the job after the command
    JobSave save = JobSave::kNone;
    std::vector<JobEffect> effects;
};

/// Applies `command` from `caller` at `now` to `job` (nullopt: no such job; only Post applies).
/// Throws as described at the top of this file; the caller's role is checked by the API.
JobDecision Decide(const std::optional<Job>& job, const JobCommand& command, const Caller& caller,
                   core::Clock::TimePoint now);

}  // namespace marketplace::jobs
