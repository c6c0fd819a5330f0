#include "domain/milestone.hpp"

#include <array>
#include <utility>

#include "domain/text.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::contracts {
namespace {

struct StateEntry {
    MilestoneState state;
    std::string_view name;
};

constexpr std::array kStateNames{
    StateEntry{MilestoneState::kFundingRequired, "funding_required"},
    StateEntry{MilestoneState::kFundingPending, "funding_pending"},
    StateEntry{MilestoneState::kFunded, "funded"},
    StateEntry{MilestoneState::kSubmitted, "submitted"},
    StateEntry{MilestoneState::kChangesRequested, "changes_requested"},
    StateEntry{MilestoneState::kAccepted, "accepted"},
    StateEntry{MilestoneState::kPaid, "paid"},
    StateEntry{MilestoneState::kCancelPending, "cancel_pending"},
    StateEntry{MilestoneState::kCancelled, "cancelled"},
    StateEntry{MilestoneState::kDisputed, "disputed"},
    StateEntry{MilestoneState::kRefunded, "refunded"},
    StateEntry{MilestoneState::kSplitPaid, "split_paid"},
};

[[noreturn]] void Refuse(const Milestone& m, std::string_view what) {
    throw core::FailedPrecondition("milestone is " + std::string(StateName(m.state)) + ": " + std::string(what));
}

Decision Applied(Milestone after, std::vector<Effect> effects) {
    return Decision{Outcome::kApplied, std::move(after), std::move(effects)};
}
Decision Unchanged(const Milestone& m, Outcome outcome) { return Decision{outcome, m, {}}; }

void ValidateSubmission(const command::Submit& c) {
    RequireMaxChars(c.note, kMaxNoteChars, "note");
    if (c.links.size() > kMaxLinks) {
        throw core::InvalidArgument("links", "must hold at most " + std::to_string(kMaxLinks) + " links");
    }
    for (std::size_t i = 0; i < c.links.size(); ++i) {
        const auto field = "links[" + std::to_string(i) + "]";
        if (c.links[i].size() > kMaxLinkChars) {
            throw core::InvalidArgument(field, "must be at most " + std::to_string(kMaxLinkChars) + " characters");
        }
        if (!IsHttpUrl(c.links[i])) throw core::InvalidArgument(field, "must be an http or https URL");
    }
    if (!HasNonSpace(c.note) && c.links.empty()) {
        throw core::InvalidArgument("note", "a submission needs a note or at least one link");
    }
}

void ValidateFeedback(const command::RequestChanges& c) {
    if (!HasNonSpace(c.feedback)) throw core::InvalidArgument("feedback", "is required");
    RequireMaxChars(c.feedback, kMaxFeedbackChars, "feedback");
}

Decision Fund(const Milestone& m, const command::Fund& c) {
    if (m.state != MilestoneState::kFundingRequired) Refuse(m, "only a funding_required milestone can be funded");
    if (!c.statement_signed) {
        throw core::FailedPrecondition(
            "the statement of work must be signed by both parties before a milestone can be funded");
    }
    Milestone after = m;
    after.state = MilestoneState::kFundingPending;
    after.funding_attempt = m.funding_attempt + 1;
    after.funding_failure_reason.clear();
    return Applied(std::move(after), {effect::RequestFunding{m.funding_attempt + 1},
                                      effect::ScheduleFundingTimeout{m.funding_attempt + 1}});
}

Decision Submit(const Milestone& m, const command::Submit& c, TimePoint now, std::chrono::seconds review_period) {
    ValidateSubmission(c);
    if (m.state != MilestoneState::kFunded && m.state != MilestoneState::kChangesRequested) {
        Refuse(m, "only a funded milestone, or one with changes requested, can be submitted");
    }
    const TimePoint release_at = now + review_period;
    Milestone after = m;
    after.state = MilestoneState::kSubmitted;
    after.submission_note = c.note;
    after.submission_links = c.links;
    after.submission_count = m.submission_count + 1;
    after.submitted_at = now;
    after.auto_release_at = release_at;
    return Applied(std::move(after), {effect::AnnounceSubmitted{release_at}, effect::ScheduleAutoRelease{release_at}});
}

Decision Accept(const Milestone& m, TimePoint now, bool automatic) {
    Milestone after = m;
    after.state = MilestoneState::kAccepted;
    after.accepted_at = now;
    after.auto_released = automatic;
    after.auto_release_at.reset();
    std::vector<Effect> effects;
    if (!automatic) effects.emplace_back(effect::CancelAutoRelease{});  // the timer deletes itself when it fires
    effects.emplace_back(effect::AnnounceAccepted{automatic});
    return Applied(std::move(after), std::move(effects));
}

Decision ClientAccept(const Milestone& m, TimePoint now) {
    if (m.state == MilestoneState::kAccepted || m.state == MilestoneState::kPaid) {
        return Unchanged(m, Outcome::kAlreadyDone);
    }
    if (m.state != MilestoneState::kSubmitted) Refuse(m, "only a submitted milestone can be accepted");
    return Accept(m, now, false);
}

Decision AutoRelease(const Milestone& m, TimePoint now) {
    if (m.state != MilestoneState::kSubmitted) return Unchanged(m, Outcome::kIgnored);
    if (!m.auto_release_at || now < *m.auto_release_at) return Unchanged(m, Outcome::kIgnored);  // a stale timer
    return Accept(m, now, true);
}

Decision RequestChanges(const Milestone& m, const command::RequestChanges& c) {
    ValidateFeedback(c);
    if (m.state != MilestoneState::kSubmitted) Refuse(m, "changes can be requested only on a submitted milestone");
    Milestone after = m;
    after.state = MilestoneState::kChangesRequested;
    after.change_request_feedback = c.feedback;
    after.auto_release_at.reset();
    return Applied(std::move(after), {effect::CancelAutoRelease{}, effect::AnnounceRejected{c.feedback}});
}

Decision Cancel(const Milestone& m, TimePoint now) {
    switch (m.state) {
        case MilestoneState::kFundingRequired: {
            Milestone after = m;
            after.state = MilestoneState::kCancelled;
            after.cancelled_at = now;
            return Applied(std::move(after), {effect::AnnounceCancelled{false}});
        }
        case MilestoneState::kFunded: {
            Milestone after = m;
            after.state = MilestoneState::kCancelPending;
            after.cancelled_at = now;
            return Applied(std::move(after), {effect::AnnounceCancelled{true}});
        }
        case MilestoneState::kCancelPending:
        case MilestoneState::kCancelled:
            return Unchanged(m, Outcome::kAlreadyDone);
        case MilestoneState::kFundingPending:
            Refuse(m, "funding is in progress; cancel it once it is funded or the attempt failed");
        case MilestoneState::kSubmitted:
        case MilestoneState::kChangesRequested:
            Refuse(m, "work was submitted; accept it, request changes, or open a dispute");
        default:
            Refuse(m, "it can no longer be cancelled");
    }
}

Decision EscrowFunded(const Milestone& m, const command::EscrowFunded& c) {
    // A pending attempt waits for its own answer (payments answers every attempt, "funded" again once
    // the escrow holds the money). After a funding timeout the milestone is back in funding_required,
    // and a late EscrowFunded for an attempt it made means the escrow holds the money: reconciled to
    // funded, never lost.
    const bool current = m.state == MilestoneState::kFundingPending && c.attempt == m.funding_attempt;
    const bool late = m.state == MilestoneState::kFundingRequired && c.attempt >= 1 && c.attempt <= m.funding_attempt;
    if (!current && !late) return Unchanged(m, Outcome::kIgnored);
    Milestone after = m;
    after.state = MilestoneState::kFunded;
    after.funding_failure_reason.clear();
    return Applied(std::move(after), {effect::CancelFundingTimeout{}});
}

Decision EscrowFundingFailed(const Milestone& m, const command::EscrowFundingFailed& c) {
    if (m.state != MilestoneState::kFundingPending || c.attempt != m.funding_attempt) {
        return Unchanged(m, Outcome::kIgnored);
    }
    Milestone after = m;
    after.state = MilestoneState::kFundingRequired;
    after.funding_failure_reason =
        HasNonSpace(c.reason) ? TruncateChars(c.reason, kMaxFailureReasonChars) : std::string("funding failed");
    return Applied(std::move(after), {effect::CancelFundingTimeout{}});
}

Decision EscrowReleased(const Milestone& m, TimePoint now) {
    if (m.state != MilestoneState::kAccepted) return Unchanged(m, Outcome::kIgnored);
    Milestone after = m;
    after.state = MilestoneState::kPaid;
    after.paid_at = now;
    return Applied(std::move(after), {});
}

Decision EscrowRefunded(const Milestone& m) {
    if (m.state == MilestoneState::kCancelled && !m.refunded) {
        // Cancelled while a funding was in flight: payments funded it late and refunded it at once.
        Milestone after = m;
        after.refunded = true;
        return Applied(std::move(after), {});
    }
    if (m.state != MilestoneState::kCancelPending) return Unchanged(m, Outcome::kIgnored);
    Milestone after = m;
    after.state = MilestoneState::kCancelled;
    after.refunded = true;
    return Applied(std::move(after), {});
}

Decision FundingTimeout(const Milestone& m, const command::FundingTimeout& c) {
    if (m.state != MilestoneState::kFundingPending || c.attempt != m.funding_attempt) {
        return Unchanged(m, Outcome::kIgnored);
    }
    Milestone after = m;
    after.state = MilestoneState::kFundingRequired;
    after.funding_failure_reason = "payments did not answer in time; the funding can be tried again";
    return Applied(std::move(after), {});
}

bool Disputable(MilestoneState s) {
    return s == MilestoneState::kFunded || s == MilestoneState::kSubmitted || s == MilestoneState::kChangesRequested;
}

Decision DisputeOpened(const Milestone& m, const command::DisputeOpened& c, TimePoint now) {
    if (m.state == MilestoneState::kDisputed && m.dispute_id == c.dispute_id) return Unchanged(m, Outcome::kIgnored);
    if (!Disputable(m.state)) {
        const std::string reason =
            m.state == MilestoneState::kDisputed
                ? "milestone is disputed by another dispute"
                : "milestone is " + std::string(StateName(m.state)) +
                      ": only a funded, submitted or changes_requested milestone can be disputed";
        return Decision{Outcome::kApplied, m, {effect::AnnounceDisputeRefused{c.dispute_id, reason}}};
    }
    Milestone after = m;
    after.state = MilestoneState::kDisputed;
    after.dispute_id = c.dispute_id;
    after.disputed_from = m.state;
    std::vector<Effect> effects;
    if (m.state == MilestoneState::kSubmitted && m.auto_release_at) {
        // The review clock stops; a withdrawal restarts it with what was left.
        after.auto_release_remaining =
            std::max(std::chrono::milliseconds(0),
                     std::chrono::duration_cast<std::chrono::milliseconds>(*m.auto_release_at - now));
        after.auto_release_at.reset();
        effects.emplace_back(effect::CancelAutoRelease{});
    }
    effects.emplace_back(effect::AnnounceDisputed{c.dispute_id, m.state});
    return Applied(std::move(after), std::move(effects));
}

Decision DisputeWithdrawn(const Milestone& m, const command::DisputeWithdrawn& c, TimePoint now) {
    if (m.state != MilestoneState::kDisputed || m.dispute_id != c.dispute_id || !m.disputed_from) {
        return Unchanged(m, Outcome::kIgnored);
    }
    Milestone after = m;
    after.state = *m.disputed_from;
    std::vector<Effect> effects;
    if (after.state == MilestoneState::kSubmitted) {
        const TimePoint release_at = now + std::chrono::duration_cast<TimePoint::duration>(
                                               m.auto_release_remaining.value_or(std::chrono::milliseconds(0)));
        after.auto_release_at = release_at;
        effects.emplace_back(effect::ScheduleAutoRelease{release_at});
    }
    after.auto_release_remaining.reset();
    effects.emplace_back(effect::AnnounceDisputeLifted{c.dispute_id, after.state});
    return Applied(std::move(after), std::move(effects));
}

Decision EscrowSettled(const Milestone& m, const command::EscrowSettled& c, TimePoint now) {
    if (m.state != MilestoneState::kDisputed || m.dispute_id != c.dispute_id) return Unchanged(m, Outcome::kIgnored);
    Milestone after = m;
    if (c.outcome == "release") {
        after.state = MilestoneState::kPaid;
        after.paid_at = now;
    } else if (c.outcome == "refund") {
        after.state = MilestoneState::kRefunded;
        after.refunded = true;
    } else if (c.outcome == "split") {
        after.state = MilestoneState::kSplitPaid;
        after.paid_at = now;
        after.refunded = true;
    } else {
        throw core::InvalidArgument("outcome", "must be release, refund or split, got '" + c.outcome + "'");
    }
    return Applied(std::move(after), {});
}

std::string_view PermissionText(CommandKind kind) {
    switch (kind) {
        case CommandKind::kFund:
            return "only the contract's client may fund a milestone";
        case CommandKind::kSubmit:
            return "only the contract's freelancer may submit a milestone";
        case CommandKind::kAccept:
            return "only the contract's client may accept a milestone";
        case CommandKind::kRequestChanges:
            return "only the contract's client may request changes";
        case CommandKind::kCancel:
            return "only the contract's client may cancel a milestone";
        default:
            return "only the system may apply payments' events and the auto-release";
    }
}

}  // namespace

std::string_view StateName(MilestoneState state) {
    for (const auto& e : kStateNames) {
        if (e.state == state) return e.name;
    }
    return "unknown";
}

std::optional<MilestoneState> ParseState(std::string_view name) {
    for (const auto& e : kStateNames) {
        if (e.name == name) return e.state;
    }
    return std::nullopt;
}

bool IsSettled(MilestoneState state) {
    return state == MilestoneState::kPaid || state == MilestoneState::kCancelled ||
           state == MilestoneState::kRefunded || state == MilestoneState::kSplitPaid;
}

std::string_view ActorName(Actor actor) {
    switch (actor) {
        case Actor::kClient:
            return "client";
        case Actor::kFreelancer:
            return "freelancer";
        case Actor::kSystem:
            return "system";
    }
    return "unknown";
}

CommandKind KindOf(const Command& command) { return static_cast<CommandKind>(command.index()); }

std::string_view CommandName(CommandKind kind) {
    switch (kind) {
        case CommandKind::kFund:
            return "fund";
        case CommandKind::kSubmit:
            return "submit";
        case CommandKind::kAccept:
            return "accept";
        case CommandKind::kRequestChanges:
            return "request_changes";
        case CommandKind::kCancel:
            return "cancel";
        case CommandKind::kAutoRelease:
            return "auto_release";
        case CommandKind::kEscrowFunded:
            return "escrow_funded";
        case CommandKind::kEscrowFundingFailed:
            return "escrow_funding_failed";
        case CommandKind::kEscrowReleased:
            return "escrow_released";
        case CommandKind::kEscrowRefunded:
            return "escrow_refunded";
        case CommandKind::kFundingTimeout:
            return "funding_timeout";
        case CommandKind::kDisputeOpened:
            return "dispute_opened";
        case CommandKind::kDisputeWithdrawn:
            return "dispute_withdrawn";
        case CommandKind::kEscrowSettled:
            return "escrow_settled";
    }
    return "unknown";
}

Actor RequiredActor(CommandKind kind) {
    switch (kind) {
        case CommandKind::kFund:
        case CommandKind::kAccept:
        case CommandKind::kRequestChanges:
        case CommandKind::kCancel:
            return Actor::kClient;
        case CommandKind::kSubmit:
            return Actor::kFreelancer;
        default:
            return Actor::kSystem;
    }
}

Decision Decide(const Milestone& m, const Command& command, Actor actor, TimePoint now,
                std::chrono::seconds review_period) {
    const CommandKind kind = KindOf(command);
    if (RequiredActor(kind) != actor) throw core::PermissionDenied(std::string(PermissionText(kind)));
    // A disputed milestone moves only through the dispute; a settled one not at all. People are told;
    // other events and timers change nothing.
    const bool dispute_command = std::holds_alternative<command::DisputeOpened>(command) ||
                                 std::holds_alternative<command::DisputeWithdrawn>(command) ||
                                 std::holds_alternative<command::EscrowSettled>(command);
    if ((m.state == MilestoneState::kDisputed || m.state == MilestoneState::kRefunded ||
         m.state == MilestoneState::kSplitPaid) &&
        !dispute_command) {
        if (actor == Actor::kSystem) return Unchanged(m, Outcome::kIgnored);
        // Input is still checked first, so a bad request is INVALID_ARGUMENT whatever the state.
        if (const auto* s = std::get_if<command::Submit>(&command)) ValidateSubmission(*s);
        if (const auto* r = std::get_if<command::RequestChanges>(&command)) ValidateFeedback(*r);
        Refuse(m, "it is handled by the dispute process");
    }
    return std::visit(
        [&](const auto& c) -> Decision {
            using C = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<C, command::Fund>) return Fund(m, c);
            if constexpr (std::is_same_v<C, command::Submit>) return Submit(m, c, now, review_period);
            if constexpr (std::is_same_v<C, command::Accept>) return ClientAccept(m, now);
            if constexpr (std::is_same_v<C, command::RequestChanges>) return RequestChanges(m, c);
            if constexpr (std::is_same_v<C, command::Cancel>) return Cancel(m, now);
            if constexpr (std::is_same_v<C, command::AutoRelease>) return AutoRelease(m, now);
            if constexpr (std::is_same_v<C, command::EscrowFunded>) return EscrowFunded(m, c);
            if constexpr (std::is_same_v<C, command::EscrowFundingFailed>) return EscrowFundingFailed(m, c);
            if constexpr (std::is_same_v<C, command::EscrowReleased>) return EscrowReleased(m, now);
            if constexpr (std::is_same_v<C, command::EscrowRefunded>) return EscrowRefunded(m);
            if constexpr (std::is_same_v<C, command::FundingTimeout>) return FundingTimeout(m, c);
            if constexpr (std::is_same_v<C, command::DisputeOpened>) return DisputeOpened(m, c, now);
            if constexpr (std::is_same_v<C, command::DisputeWithdrawn>) return DisputeWithdrawn(m, c, now);
            if constexpr (std::is_same_v<C, command::EscrowSettled>) return EscrowSettled(m, c, now);
        },
        command);
}

std::vector<WayOut> WaysOut(MilestoneState state) {
    using S = MilestoneState;
    using K = CommandKind;
    switch (state) {
        case S::kFundingRequired:
            return {{K::kFund, Actor::kClient, "the client funds it (or cancels it)"},
                    {K::kCancel, Actor::kClient, "the client cancels it"}};
        case S::kFundingPending:
            return {{K::kEscrowFunded, Actor::kSystem, "payments answers funded"},
                    {K::kEscrowFundingFailed, Actor::kSystem, "payments answers failed"},
                    {K::kFundingTimeout, Actor::kSystem, "the funding timeout returns it to funding_required"}};
        case S::kFunded:
            return {{K::kSubmit, Actor::kFreelancer, "the freelancer submits"},
                    {K::kCancel, Actor::kClient, "the client cancels it (refund)"},
                    {K::kDisputeOpened, Actor::kSystem, "either party opens a dispute"}};
        case S::kSubmitted:
            return {{K::kAccept, Actor::kClient, "the client accepts"},
                    {K::kAutoRelease, Actor::kSystem, "the auto-release deadline accepts it"},
                    {K::kDisputeOpened, Actor::kSystem, "either party opens a dispute"}};
        case S::kChangesRequested:
            return {{K::kSubmit, Actor::kFreelancer, "the freelancer submits again"},
                    {K::kDisputeOpened, Actor::kSystem, "either party opens a dispute (whose deadlines end it)"}};
        case S::kAccepted:
            return {{K::kEscrowReleased, Actor::kSystem, "payments answers released (always sent)"}};
        case S::kCancelPending:
            return {{K::kEscrowRefunded, Actor::kSystem, "payments answers refunded (always sent)"}};
        case S::kDisputed:
            return {{K::kEscrowSettled, Actor::kSystem, "the dispute's ladder resolves it by its deadlines"},
                    {K::kDisputeWithdrawn, Actor::kSystem, "the opener withdraws the dispute"}};
        default:
            return {};  // settled
    }
}

}  // namespace marketplace::contracts
