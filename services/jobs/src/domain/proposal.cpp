#include "domain/proposal.hpp"

#include <algorithm>
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

bool ClanApplication::AllAgreed() const {
    return std::all_of(agreements.begin(), agreements.end(),
                       [](const Agreement& a) { return a.agreed_micros.has_value(); });
}

const Agreement* ClanApplication::Find(const std::string& user_id) const {
    for (const auto& a : agreements) {
        if (a.member.user_id == user_id) return &a;
    }
    return nullptr;
}

bool ClanApplication::NamesOrSubmittedBy(const std::string& user_id) const {
    return submitted_by == user_id || Find(user_id) != nullptr;
}

namespace {

const Proposal& RequireProposal(const ProposalState& state) {
    if (!state.proposal) throw core::NotFound("proposal not found");
    return *state.proposal;
}

ProposalDecision DecideSubmit(const ProposalState& state, const proposal_command::Submit& c, const Caller& caller,
                              core::Clock::TimePoint now) {
    if (!state.job) throw core::NotFound("job not found");
    const Job& job = *state.job;
    RequireOpen(job.status, "take proposals");
    auto plan = ValidateProposal(c.input, job.spec.currency(), now);
    const bool as_clan = !c.clan_id.empty();
    std::optional<TeamPlan> team;
    if (as_clan) {
        if (!c.roster) throw std::logic_error("a clan's application is decided with the clan's roster");
        team = ValidateTeamPlan(c.team, c.split, plan.total, *c.roster, caller.user_id);
    }
    if (state.applicant_has_live) {
        throw core::Conflict(as_clan ? "the clan already has a live proposal on this job; one application per "
                                       "clan per job"
                                     : "you already have a live proposal on this job; withdraw it to submit "
                                       "another");
    }
    const auto micros = MicrosSinceEpoch(now);
    ProposalDecision d;
    d.state = state;
    d.state.proposal = Proposal{
        c.proposal_id, job.job_id, as_clan ? c.clan_id : caller.user_id, std::move(plan), ProposalStatus::kSubmitted,
        micros,        micros};
    if (team) {
        ClanApplication app{c.proposal_id, c.clan_id, caller.user_id, team->mode, team->member_pool, {}};
        for (std::size_t i = 0; i < team->members.size(); ++i) {
            app.agreements.push_back(Agreement{team->members[i], team->shares[i].weight, std::nullopt});
        }
        d.state.application = std::move(app);
    }
    d.team = std::move(team);
    d.save = ProposalSave::kInsert;
    d.effects = {proposal_effect::AnnounceSubmitted{}};
    return d;
}

ProposalDecision DecideWithdraw(const ProposalState& state, const Caller& caller, core::Clock::TimePoint now) {
    const Proposal& proposal = RequireProposal(state);
    if (const auto& app = state.application) {
        if (!app->NamesOrSubmittedBy(caller.user_id)) throw core::NotFound("proposal not found");
        if (app->submitted_by != caller.user_id) {
            throw core::PermissionDenied("only the clan's member who submitted it may withdraw it");
        }
    } else {
        RequireProposalAuthor(caller, proposal.freelancer_id, "withdraw it");
    }
    RequireLiveProposal(proposal.status, "withdrawn");
    ProposalDecision d;
    d.state = state;
    d.state.proposal->status = ProposalStatus::kWithdrawn;
    d.state.proposal->updated_micros = MicrosSinceEpoch(now);
    d.save = ProposalSave::kStatus;
    return d;
}

ProposalDecision DecideAgree(const ProposalState& state, const Caller& caller, core::Clock::TimePoint now) {
    const Proposal& proposal = RequireProposal(state);
    const auto& app = state.application;
    if (!app || !app->NamesOrSubmittedBy(caller.user_id)) throw core::NotFound("proposal not found");
    const Agreement* mine = app->Find(caller.user_id);
    if (mine == nullptr) throw core::PermissionDenied("only a member named in the clan's plan agrees to it");
    RequireLiveProposal(proposal.status, "agreed to");
    ProposalDecision d;
    d.state = state;
    if (mine->agreed_micros) {
        d.outcome = ProposalOutcome::kAlreadyDone;
        return d;
    }
    const auto micros = MicrosSinceEpoch(now);
    for (auto& a : d.state.application->agreements) {
        if (a.member.user_id == caller.user_id) a.agreed_micros = micros;
    }
    d.effects = {proposal_effect::RecordAgreement{caller.user_id, micros}};
    return d;
}

/// Every check of an acceptance that comes before the clan's roster.
void CheckAcceptable(const ProposalState& state, const Caller& caller) {
    const Proposal& proposal = RequireProposal(state);
    if (!state.job) throw core::NotFound("proposal not found");
    RequireJobOwner(caller, state.job->client_id, "accept a proposal");
    RequireOpen(state.job->status, "have a proposal accepted");
    RequireLiveProposal(proposal.status, "accepted");
    if (const auto& app = state.application) {
        const auto waiting = std::count_if(app->agreements.begin(), app->agreements.end(),
                                           [](const Agreement& a) { return !a.agreed_micros; });
        if (waiting > 0) {
            throw core::FailedPrecondition(std::to_string(waiting) + " of " + std::to_string(app->agreements.size()) +
                                           " members named in the clan's plan have not agreed yet");
        }
    }
}

ProposalDecision DecideAccept(const ProposalState& state, const proposal_command::Accept& c, const Caller& caller,
                              core::Clock::TimePoint now) {
    CheckAcceptable(state, caller);
    std::string leader_id;
    if (const auto& app = state.application) {
        if (!c.roster) throw std::logic_error("a clan's proposal is accepted with the clan's roster");
        if (c.roster->archived) throw core::FailedPrecondition("the clan is archived");
        for (std::size_t i = 0; i < app->agreements.size(); ++i) {
            if (c.roster->roles.count(app->agreements[i].member.user_id) == 0) {
                throw core::FailedPrecondition("team[" + std::to_string(i) + "] (" + app->agreements[i].member.user_id +
                                               ") is no longer a member of the clan: the clan must apply again");
            }
        }
        leader_id = c.roster->head_id;
    }
    const auto micros = MicrosSinceEpoch(now);
    ProposalDecision d;
    d.state = state;
    d.state.proposal->status = ProposalStatus::kAccepted;
    d.state.proposal->updated_micros = micros;
    d.state.job->status = JobStatus::kInProgress;
    d.state.job->accepted_proposal_id = d.state.proposal->proposal_id;
    d.state.job->updated_micros = micros;
    d.save = ProposalSave::kAccept;
    d.effects = {proposal_effect::DeclineOtherProposals{}, proposal_effect::AnnounceAccepted{leader_id}};
    return d;
}

}  // namespace

bool AcceptNeedsRoster(const ProposalState& state, const Caller& caller) {
    CheckAcceptable(state, caller);
    return state.application.has_value();
}

ProposalDecision Decide(const ProposalState& state, const ProposalCommand& command, const Caller& caller,
                        core::Clock::TimePoint now) {
    if (const auto* submit = std::get_if<proposal_command::Submit>(&command)) {
        return DecideSubmit(state, *submit, caller, now);
    }
    if (std::holds_alternative<proposal_command::Withdraw>(command)) return DecideWithdraw(state, caller, now);
    if (std::holds_alternative<proposal_command::Agree>(command)) return DecideAgree(state, caller, now);
    return DecideAccept(state, std::get<proposal_command::Accept>(command), caller, now);
}

}  // namespace marketplace::jobs
