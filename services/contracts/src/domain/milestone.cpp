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
    return Applied(std::move(after), {effect::RequestFunding{m.funding_attempt + 1}});
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
    if (m.state != MilestoneState::kFundingPending || c.attempt != m.funding_attempt) {
        return Unchanged(m, Outcome::kIgnored);
    }
    Milestone after = m;
    after.state = MilestoneState::kFunded;
    after.funding_failure_reason.clear();
    return Applied(std::move(after), {});
}

Decision EscrowFundingFailed(const Milestone& m, const command::EscrowFundingFailed& c) {
    if (m.state != MilestoneState::kFundingPending || c.attempt != m.funding_attempt) {
        return Unchanged(m, Outcome::kIgnored);
    }
    Milestone after = m;
    after.state = MilestoneState::kFundingRequired;
    after.funding_failure_reason =
        HasNonSpace(c.reason) ? TruncateChars(c.reason, kMaxFailureReasonChars) : std::string("funding failed");
    return Applied(std::move(after), {});
}

Decision EscrowReleased(const Milestone& m, TimePoint now) {
    if (m.state != MilestoneState::kAccepted) return Unchanged(m, Outcome::kIgnored);
    Milestone after = m;
    after.state = MilestoneState::kPaid;
    after.paid_at = now;
    return Applied(std::move(after), {});
}

Decision EscrowRefunded(const Milestone& m) {
    if (m.state != MilestoneState::kCancelPending) return Unchanged(m, Outcome::kIgnored);
    Milestone after = m;
    after.state = MilestoneState::kCancelled;
    after.refunded = true;
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
    // Reserved dispute states: no transitions yet. People are told; events and timers change nothing.
    if (m.state == MilestoneState::kDisputed || m.state == MilestoneState::kRefunded ||
        m.state == MilestoneState::kSplitPaid) {
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
        },
        command);
}

}  // namespace marketplace::contracts
