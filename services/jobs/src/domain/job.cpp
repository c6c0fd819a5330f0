#include "domain/job.hpp"

#include <algorithm>
#include <stdexcept>

#include "domain/limits.hpp"
#include "domain/templates.hpp"
#include "domain/text_rules.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"

namespace marketplace::jobs {
namespace {

constexpr std::size_t kMaxTemplateIdChars = 64;

std::string Field(std::string_view prefix, std::string_view name) { return std::string(prefix) + std::string(name); }

}  // namespace

std::string_view JobStatusName(JobStatus status) {
    switch (status) {
        case JobStatus::kOpen:
            return "open";
        case JobStatus::kInProgress:
            return "in_progress";
        case JobStatus::kClosed:
            return "closed";
    }
    return "unknown";
}

JobStatus ParseJobStatus(std::string_view name) {
    if (name == "open") return JobStatus::kOpen;
    if (name == "in_progress") return JobStatus::kInProgress;
    if (name == "closed") return JobStatus::kClosed;
    throw std::invalid_argument("unknown job status '" + std::string(name) + "'");
}

std::string LowerAscii(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::vector<std::string> ValidateStack(std::string_view field, const std::vector<std::string>& stack) {
    if (stack.size() > kMaxStackEntries) {
        throw core::InvalidArgument(std::string(field),
                                    "must have at most " + std::to_string(kMaxStackEntries) + " entries");
    }
    std::vector<std::string> out;
    std::vector<std::string> keys;
    out.reserve(stack.size());
    for (std::size_t i = 0; i < stack.size(); ++i) {
        const auto entry_field = Indexed(field, i);
        auto entry = RequireLine(entry_field, stack[i], kMaxStackEntryChars);
        auto key = LowerAscii(entry);
        if (const auto it = std::find(keys.begin(), keys.end(), key); it != keys.end()) {
            throw core::InvalidArgument(entry_field,
                                        "duplicates " + Indexed(field, static_cast<std::size_t>(it - keys.begin())));
        }
        keys.push_back(std::move(key));
        out.push_back(std::move(entry));
    }
    return out;
}

JobSpec ValidateJob(const JobInput& input, std::string_view prefix) {
    auto title = RequireLine(Field(prefix, "title"), input.title, kMaxTitleChars);
    auto description = RequireText(Field(prefix, "description"), input.description, 1, kMaxDescriptionChars);
    auto stack = ValidateStack(Field(prefix, "stack"), input.stack);
    switch (input.budget_type) {
        case BudgetTypeInput::kUnspecified:
        case BudgetTypeInput::kFixed:
            break;
        case BudgetTypeInput::kHourly:
            throw core::InvalidArgument(Field(prefix, "budget_type"),
                                        "HOURLY budgets are not supported yet; use BUDGET_TYPE_FIXED");
        case BudgetTypeInput::kUnknown:
            throw core::InvalidArgument(Field(prefix, "budget_type"), "is not a known budget type");
    }
    const auto min = RequirePositiveMoney(Field(prefix, "budget_min"), input.budget_min);
    const auto max = RequirePositiveMoney(Field(prefix, "budget_max"), input.budget_max);
    if (max.currency() != min.currency()) {
        throw core::InvalidArgument(Field(prefix, "budget_max.currency"),
                                    "must equal budget_min.currency (" + std::string(min.currency().code()) + ")");
    }
    if (max.minor_units() < min.minor_units()) {
        throw core::InvalidArgument(Field(prefix, "budget_max"), "must be >= budget_min");
    }
    auto repo_url = RequireOptionalHttpsUrl(Field(prefix, "repo_url"), input.repo_url, kMaxRepoUrlChars);
    if (!input.template_id.empty()) {
        if (CharCount(input.template_id) > kMaxTemplateIdChars || FindTemplate(input.template_id) == nullptr) {
            throw core::InvalidArgument(Field(prefix, "template_id"),
                                        "unknown template '" + input.template_id.substr(0, kMaxTemplateIdChars) + "'");
        }
    }
    return JobSpec{std::move(title),    std::move(description), std::move(stack), min, max, input.nda_required,
                   input.ip_assignment, std::move(repo_url),    input.template_id};
}

void ApplyTemplateDefaults(JobInput& input) {
    if (input.template_id.empty() || !input.stack.empty()) return;
    if (const auto* tmpl = FindTemplate(input.template_id)) input.stack = tmpl->suggested_stack;
}

const std::vector<std::string>& UpdatableJobFields() {
    static const std::vector<std::string> fields{"title",      "description",  "stack",         "budget_min",
                                                 "budget_max", "nda_required", "ip_assignment", "repo_url"};
    return fields;
}

JobInput ApplyJobUpdate(JobInput current, const JobInput& changes, const std::vector<std::string>& paths) {
    if (paths.empty()) throw core::InvalidArgument("update_mask", "must name at least one field to change");
    for (std::size_t i = 0; i < paths.size(); ++i) {
        const auto& p = paths[i];
        if (p == "title")
            current.title = changes.title;
        else if (p == "description")
            current.description = changes.description;
        else if (p == "stack")
            current.stack = changes.stack;
        else if (p == "budget_min")
            current.budget_min = changes.budget_min;
        else if (p == "budget_max")
            current.budget_max = changes.budget_max;
        else if (p == "nda_required")
            current.nda_required = changes.nda_required;
        else if (p == "ip_assignment")
            current.ip_assignment = changes.ip_assignment;
        else if (p == "repo_url")
            current.repo_url = changes.repo_url;
        else {
            throw core::InvalidArgument(Indexed("update_mask.paths", i),
                                        "'" + p.substr(0, 64) + "' is not a field that can change");
        }
    }
    return current;
}

JobInput ToInput(const JobSpec& spec) {
    JobInput input;
    input.title = spec.title;
    input.description = spec.description;
    input.stack = spec.stack;
    input.budget_type = BudgetTypeInput::kFixed;
    input.budget_min = MoneyInput::From(spec.budget_min);
    input.budget_max = MoneyInput::From(spec.budget_max);
    input.nda_required = spec.nda_required;
    input.ip_assignment = spec.ip_assignment;
    input.repo_url = spec.repo_url;
    input.template_id = spec.template_id;
    return input;
}

void RequireOpen(JobStatus status, std::string_view action) {
    if (status != JobStatus::kOpen) {
        throw core::FailedPrecondition("the job is " + std::string(JobStatusName(status)) + "; only an open job can " +
                                       std::string(action));
    }
}

void RequireCurrencyChangeAllowed(const JobSpec& before, const JobSpec& after, long live_proposals) {
    if (before.currency() != after.currency() && live_proposals > 0) {
        throw core::FailedPrecondition("the currency cannot change while the job has live proposals in " +
                                       std::string(before.currency().code()));
    }
}

namespace {

JobDecision DecidePost(const job_command::Post& c, const Caller& caller, std::int64_t now) {
    auto input = c.input;
    ApplyTemplateDefaults(input);
    return JobDecision{Job{c.job_id, caller.user_id, ValidateJob(input), JobStatus::kOpen, "", now, now},
                       JobSave::kInsert,
                       {job_effect::AnnouncePosted{}}};
}

JobDecision DecideEdit(const Job& job, const job_command::Edit& c, const Caller& caller, std::int64_t now) {
    RequireJobOwner(caller, job.client_id, "edit it");
    RequireOpen(job.status, "be edited");
    const auto merged = ApplyJobUpdate(ToInput(job.spec), c.changes, c.paths);
    auto spec = ValidateJob(merged, "job.");
    RequireCurrencyChangeAllowed(job.spec, spec, c.live_proposals);
    JobDecision d{job, JobSave::kSpec, {}};
    d.job.spec = std::move(spec);
    d.job.updated_micros = now;
    return d;
}

JobDecision DecideClose(const Job& job, const Caller& caller, std::int64_t now) {
    RequireJobOwner(caller, job.client_id, "close it");
    RequireOpen(job.status, "be closed");
    JobDecision d{job, JobSave::kStatus, {job_effect::DeclineLiveProposals{}}};
    d.job.status = JobStatus::kClosed;
    d.job.updated_micros = now;
    return d;
}

JobDecision DecideInvite(const Job& job, const job_command::Invite& c, const Caller& caller, std::int64_t now) {
    RequireJobOwner(caller, job.client_id, "invite freelancers to it");
    RequireOpen(job.status, "take invites");
    core::RequireUuid(c.freelancer_id, "freelancer_id");
    if (c.freelancer_id == caller.user_id) throw core::InvalidArgument("freelancer_id", "must not be the job's client");
    auto message = RequireText("message", c.message, 0, kMaxInviteMessageChars);
    return JobDecision{job,
                       JobSave::kNone,
                       {job_effect::SendInvite{Invite{c.invite_id, job.job_id, job.spec.title, caller.user_id,
                                                      c.freelancer_id, std::move(message), now}}}};
}

}  // namespace

JobDecision Decide(const std::optional<Job>& job, const JobCommand& command, const Caller& caller,
                   core::Clock::TimePoint now) {
    const auto micros = MicrosSinceEpoch(now);
    if (const auto* post = std::get_if<job_command::Post>(&command)) {
        if (job) throw std::logic_error("a job with id " + job->job_id + " exists already");
        return DecidePost(*post, caller, micros);
    }
    if (!job) throw core::NotFound("job not found");
    if (const auto* edit = std::get_if<job_command::Edit>(&command)) return DecideEdit(*job, *edit, caller, micros);
    if (const auto* invite = std::get_if<job_command::Invite>(&command)) {
        return DecideInvite(*job, *invite, caller, micros);
    }
    return DecideClose(*job, caller, micros);
}

}  // namespace marketplace::jobs
