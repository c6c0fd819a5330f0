#pragma once
// A proposal's milestone plan and its rules: amounts positive, in the job's currency and summing
// to the total; due dates in order within the promised delivery; explicit counts and sizes.
// Pure: no database, no gRPC.
//
// The proposal's lifecycle as a decider, Decide(state, command, caller, now):
//
//   (none) --Submit(freelancer; for a clan its HEAD, CO_HEAD or ADMIN)--> submitted
//   submitted --Withdraw(its freelancer; for a clan the member who submitted it)--> withdrawn
//   submitted --Agree(a member named in the clan's plan)--> submitted, that member agreed
//   submitted --Accept(the job's client; a clan's members all agreed and still in the clan)--> accepted,
//             the job in_progress and the job's other live proposals declined
//   submitted --the job closed or another proposal accepted--> declined
//
// A command that does not apply throws (core::NotFound, PermissionDenied, FailedPrecondition,
// InvalidArgument, Conflict) with the messages the API answers. An agreement given again is
// kAlreadyDone and changes nothing.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/access.hpp"
#include "domain/job.hpp"
#include "domain/money_input.hpp"
#include "domain/team_plan.hpp"
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

/// The aggregate: a proposal as stored.
struct Proposal {
    std::string proposal_id;
    std::string job_id;
    std::string freelancer_id;  // the applicant: a freelancer, or a clan's id
    ProposalPlan plan;
    ProposalStatus status = ProposalStatus::kSubmitted;
    std::int64_t created_micros = 0;
    std::int64_t updated_micros = 0;
};

/// One member named in a clan's plan, their share and their agreement.
struct Agreement {
    TeamMember member;
    std::int64_t share_weight = 0;
    std::optional<std::int64_t> agreed_micros;
};

/// A clan's application: the proposal's team plan and split.
struct ClanApplication {
    std::string proposal_id;
    std::string clan_id;
    std::string submitted_by;
    SplitMode mode = SplitMode::kBasisPoints;
    std::int64_t member_pool = 0;
    std::vector<Agreement> agreements;  // in the plan's order

    bool AllAgreed() const;
    const Agreement* Find(const std::string& user_id) const;
    /// Whether `user_id` submitted the application or is named in it (who sees it).
    bool NamesOrSubmittedBy(const std::string& user_id) const;
};

/// Everything a proposal's decision reads, loaded (and locked) by the application.
struct ProposalState {
    std::optional<Job> job;
    std::optional<Proposal> proposal;
    std::optional<ClanApplication> application;
    bool applicant_has_live = false;  // Submit: the applicant has a live proposal on the job
};

namespace proposal_command {
/// A freelancer applies, alone or (with `clan_id`) for a clan with a team plan and a split.
struct Submit {
    std::string proposal_id;  // the new proposal's id
    ProposalInput input;
    std::string clan_id;  // empty: the caller applies
    std::vector<TeamMemberInput> team;
    std::vector<SplitShareInput> split;
    std::optional<ClanRoster> roster;  // the clan's roster, read when the clan applies
};
struct Withdraw {};
struct Agree {};
struct Accept {
    std::optional<ClanRoster> roster;  // a clan's roster now (AcceptNeedsRoster says when)
};
}  // namespace proposal_command

using ProposalCommand = std::variant<proposal_command::Submit, proposal_command::Withdraw, proposal_command::Agree,
                                     proposal_command::Accept>;

namespace proposal_effect {
/// Publish ProposalSubmitted (with the clan's team for a clan's application).
struct AnnounceSubmitted {
    bool operator==(const AnnounceSubmitted&) const = default;
};
/// Record the caller's agreement to the clan's plan.
struct RecordAgreement {
    std::string user_id;
    std::int64_t agreed_micros = 0;
    bool operator==(const RecordAgreement&) const = default;
};
/// Decline the job's other live proposals.
struct DeclineOtherProposals {
    bool operator==(const DeclineOtherProposals&) const = default;
};
/// Publish ProposalAccepted; for a clan, `clan_leader_id` is its HEAD now.
struct AnnounceAccepted {
    std::string clan_leader_id;
    bool operator==(const AnnounceAccepted&) const = default;
};
}  // namespace proposal_effect

using ProposalEffect = std::variant<proposal_effect::AnnounceSubmitted, proposal_effect::RecordAgreement,
                                    proposal_effect::DeclineOtherProposals, proposal_effect::AnnounceAccepted>;

enum class ProposalOutcome {
    kApplied,      // carry out the save and the effects
    kAlreadyDone,  // what the command asks for holds already: nothing to do
};

/// What the application writes.
enum class ProposalSave {
    kNone,
    kInsert,  // the new proposal (and the clan's application)
    kStatus,  // the proposal's status
    kAccept,  // the proposal's status and the job's
};

struct ProposalDecision {
    ProposalOutcome outcome = ProposalOutcome::kApplied;
    ProposalState state;  // after the command
    ProposalSave save = ProposalSave::kNone;
    std::optional<TeamPlan> team;  // Submit for a clan: the validated plan to store
    std::vector<ProposalEffect> effects;
};

/// Accept: whether the decision needs the clan's roster (a clan's proposal that passes every check
/// before it). Throws what Decide throws before it would read the roster.
bool AcceptNeedsRoster(const ProposalState& state, const Caller& caller);

/// Applies `command` from `caller` at `now`. Throws as described at the top of this file.
ProposalDecision Decide(const ProposalState& state, const ProposalCommand& command, const Caller& caller,
                        core::Clock::TimePoint now);

}  // namespace marketplace::jobs
