#pragma once
// The milestone saga's state machine (docs/ARCHITECTURE.md, "The sagas"), as pure functions: no database, no RPC.
//
//   funding_required --Fund(client)--> funding_pending --EscrowFunded--> funded
//   funding_pending --EscrowFundingFailed(reason)--> funding_required
//   funded | changes_requested --Submit(freelancer)--> submitted      (schedules the auto-release)
//   submitted --RequestChanges(client, feedback)--> changes_requested  (cancels the auto-release)
//   submitted --Accept(client) | AutoRelease(timer)--> accepted --EscrowReleased--> paid
//   funding_required --Cancel(client)--> cancelled
//   funded --Cancel(client)--> cancel_pending --EscrowRefunded--> cancelled (refunded)
//
//   funding_pending --FundingTimeout(timer, same attempt)--> funding_required (payments was silent; a late
//                     EscrowFunded for any attempt made is still reconciled to funded)
//   funded | submitted | changes_requested --DisputeOpened--> disputed   (pauses the auto-release)
//   disputed --DisputeWithdrawn--> the state it came from (the auto-release resumes with the time left)
//   disputed --EscrowSettled(release | refund | split)--> paid | refunded | split_paid
//
// A DisputeOpened for a milestone that cannot be disputed any more (accepted first, for example) is
// answered with AnnounceDisputeRefused and changes nothing. In disputed every user command is
// refused: the dispute process decides.
//
// Commands from people (Fund, Submit, Accept, RequestChanges, Cancel) throw when they do not apply:
// PermissionDenied for the wrong party, InvalidArgument for bad input, FailedPrecondition for the
// wrong state. Two of them are idempotent in intent: Accept on an accepted or paid milestone and
// Cancel on a cancel_pending or cancelled one return Outcome::kAlreadyDone and change nothing, so
// racing accepts (or an accept racing the auto-release) pay exactly once and both callers succeed.
// Commands from the system (payments' events, the auto-release timer) never throw for the state:
// a replayed, late or stale one is Outcome::kIgnored and changes nothing.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "marketplace/core/clock.hpp"

namespace marketplace::contracts {

using TimePoint = core::Clock::TimePoint;

enum class MilestoneState {
    kFundingRequired,
    kFundingPending,
    kFunded,
    kSubmitted,
    kChangesRequested,
    kAccepted,
    kPaid,
    kCancelPending,
    kCancelled,
    kDisputed,   // held by a dispute
    kRefunded,   // a dispute refunded the whole escrow
    kSplitPaid,  // a dispute released part of the escrow and refunded the rest
};

inline constexpr MilestoneState kAllMilestoneStates[] = {
    MilestoneState::kFundingRequired,
    MilestoneState::kFundingPending,
    MilestoneState::kFunded,
    MilestoneState::kSubmitted,
    MilestoneState::kChangesRequested,
    MilestoneState::kAccepted,
    MilestoneState::kPaid,
    MilestoneState::kCancelPending,
    MilestoneState::kCancelled,
    MilestoneState::kDisputed,
    MilestoneState::kRefunded,
    MilestoneState::kSplitPaid,
};

/// "funding_required", "funding_pending", ... (the names stored in the database).
std::string_view StateName(MilestoneState state);
std::optional<MilestoneState> ParseState(std::string_view name);
/// Paid, cancelled, refunded, split_paid: nothing happens to the milestone any more.
bool IsSettled(MilestoneState state);

/// Who issues a command. kSystem: payments' events and the auto-release timer.
enum class Actor { kClient, kFreelancer, kSystem };
inline constexpr Actor kAllActors[] = {Actor::kClient, Actor::kFreelancer, Actor::kSystem};
std::string_view ActorName(Actor actor);

/// The aggregate: everything the state machine reads and writes.
struct Milestone {
    MilestoneState state = MilestoneState::kFundingRequired;
    std::int32_t funding_attempt = 0;
    std::string funding_failure_reason;
    std::string submission_note;
    std::vector<std::string> submission_links;
    std::int32_t submission_count = 0;
    std::optional<TimePoint> submitted_at;
    std::optional<TimePoint> auto_release_at;
    std::string change_request_feedback;
    std::optional<TimePoint> accepted_at;
    bool auto_released = false;
    std::optional<TimePoint> paid_at;
    std::optional<TimePoint> cancelled_at;
    bool refunded = false;
    /// While disputed (and after): the dispute, and the state the milestone was in before it.
    std::string dispute_id;
    std::optional<MilestoneState> disputed_from;
    /// What was left of the review period when a dispute paused the auto-release.
    std::optional<std::chrono::milliseconds> auto_release_remaining;

    bool operator==(const Milestone&) const = default;
};

namespace command {
/// The client funds; `statement_signed` says whether both parties signed the statement of work.
struct Fund {
    bool statement_signed = false;
};
/// The freelancer submits the deliverable.
struct Submit {
    std::string note;
    std::vector<std::string> links;
};
struct Accept {};
struct RequestChanges {
    std::string feedback;
};
struct Cancel {};
/// The auto-release timer fired.
struct AutoRelease {};
struct EscrowFunded {
    std::int32_t attempt = 0;
};
struct EscrowFundingFailed {
    std::int32_t attempt = 0;
    std::string reason;
};
struct EscrowReleased {};
struct EscrowRefunded {};
/// The funding timer fired for this attempt.
struct FundingTimeout {
    std::int32_t attempt = 0;
};
/// disputes opened a dispute on the milestone.
struct DisputeOpened {
    std::string dispute_id;
};
/// The dispute was withdrawn.
struct DisputeWithdrawn {
    std::string dispute_id;
};
/// payments settled the dispute's resolution.
struct EscrowSettled {
    std::string dispute_id;
    std::string outcome;  // "release", "refund", "split"
};
}  // namespace command

using Command = std::variant<command::Fund, command::Submit, command::Accept, command::RequestChanges, command::Cancel,
                             command::AutoRelease, command::EscrowFunded, command::EscrowFundingFailed,
                             command::EscrowReleased, command::EscrowRefunded, command::FundingTimeout,
                             command::DisputeOpened, command::DisputeWithdrawn, command::EscrowSettled>;

enum class CommandKind {
    kFund,
    kSubmit,
    kAccept,
    kRequestChanges,
    kCancel,
    kAutoRelease,
    kEscrowFunded,
    kEscrowFundingFailed,
    kEscrowReleased,
    kEscrowRefunded,
    kFundingTimeout,
    kDisputeOpened,
    kDisputeWithdrawn,
    kEscrowSettled,
};
CommandKind KindOf(const Command& command);
std::string_view CommandName(CommandKind kind);

/// Who may issue each command: the client funds, accepts, requests changes and cancels; the
/// freelancer submits; the system delivers payments' events and the auto-release.
Actor RequiredActor(CommandKind kind);

namespace effect {
/// Publish MilestoneFundingRequested with this attempt.
struct RequestFunding {
    std::int32_t attempt = 0;
    bool operator==(const RequestFunding&) const = default;
};
/// Publish MilestoneSubmitted.
struct AnnounceSubmitted {
    TimePoint auto_release_at;
    bool operator==(const AnnounceSubmitted&) const = default;
};
/// Create or move the durable timer "milestone.auto_release".
struct ScheduleAutoRelease {
    TimePoint due_at;
    bool operator==(const ScheduleAutoRelease&) const = default;
};
/// Remove the durable timer "milestone.auto_release".
struct CancelAutoRelease {
    bool operator==(const CancelAutoRelease&) const = default;
};
/// Publish MilestoneAccepted (the freelancer is the only payee).
struct AnnounceAccepted {
    bool auto_released = false;
    bool operator==(const AnnounceAccepted&) const = default;
};
/// Publish MilestoneRejected.
struct AnnounceRejected {
    std::string feedback;
    bool operator==(const AnnounceRejected&) const = default;
};
/// Publish MilestoneCancelled; `refund` when the escrow holds the amount.
struct AnnounceCancelled {
    bool refund = false;
    bool operator==(const AnnounceCancelled&) const = default;
};
/// Start the durable timer "milestone.funding_timeout" for this attempt (the application knows how long).
struct ScheduleFundingTimeout {
    std::int32_t attempt = 0;
    bool operator==(const ScheduleFundingTimeout&) const = default;
};
/// Remove the funding timer: payments answered.
struct CancelFundingTimeout {
    bool operator==(const CancelFundingTimeout&) const = default;
};
/// Publish MilestoneDisputed.
struct AnnounceDisputed {
    std::string dispute_id;
    MilestoneState prior = MilestoneState::kFunded;
    bool operator==(const AnnounceDisputed&) const = default;
};
/// Publish MilestoneDisputeRefused: the milestone could not be held for the dispute.
struct AnnounceDisputeRefused {
    std::string dispute_id;
    std::string reason;
    bool operator==(const AnnounceDisputeRefused&) const = default;
};
/// Publish MilestoneDisputeLifted: the dispute was withdrawn.
struct AnnounceDisputeLifted {
    std::string dispute_id;
    MilestoneState state = MilestoneState::kFunded;
    bool operator==(const AnnounceDisputeLifted&) const = default;
};
}  // namespace effect

using Effect = std::variant<effect::RequestFunding, effect::AnnounceSubmitted, effect::ScheduleAutoRelease,
                            effect::CancelAutoRelease, effect::AnnounceAccepted, effect::AnnounceRejected,
                            effect::AnnounceCancelled, effect::ScheduleFundingTimeout, effect::CancelFundingTimeout,
                            effect::AnnounceDisputed, effect::AnnounceDisputeRefused, effect::AnnounceDisputeLifted>;

enum class Outcome {
    kApplied,      // the milestone changed; carry out the effects
    kAlreadyDone,  // what the command asks for already holds (accept on accepted, cancel on cancelled)
    kIgnored,      // a replayed, late or stale event or timer: nothing to do
};

struct Decision {
    Outcome outcome = Outcome::kIgnored;
    Milestone milestone;          // the milestone after the command (unchanged unless kApplied)
    std::vector<Effect> effects;  // empty unless kApplied
};

/// Limits on what people send.
inline constexpr std::size_t kMaxNoteChars = 5000;
inline constexpr std::size_t kMaxFeedbackChars = 5000;
inline constexpr std::size_t kMaxLinks = 20;
inline constexpr std::size_t kMaxLinkChars = 2048;
inline constexpr std::size_t kMaxFailureReasonChars = 1000;

/// For every state that is not settled, how it moves on: a party's command, or a deadline or an
/// answer that the saga always delivers. Every non-settled state has at least one.
struct WayOut {
    CommandKind command;
    Actor actor;
    std::string_view how;  // for people: "the client accepts or the auto-release deadline passes"
};
std::vector<WayOut> WaysOut(MilestoneState state);

/// Applies `command` from `actor` at `now`. `review_period` is how long a submission waits for the
/// client before the auto-release accepts it. Throws core::PermissionDenied, core::InvalidArgument
/// or core::FailedPrecondition as described at the top of this file.
Decision Decide(const Milestone& milestone, const Command& command, Actor actor, TimePoint now,
                std::chrono::seconds review_period);

}  // namespace marketplace::contracts
