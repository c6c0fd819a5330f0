#include "domain/dispute.hpp"

#include <array>
#include <utility>

#include "domain/split.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::disputes {
namespace {

constexpr std::array<std::pair<Stage, std::string_view>, 9> kStageNames{{
    {Stage::kOpening, "opening"},
    {Stage::kResponse, "response"},
    {Stage::kNegotiation, "negotiation"},
    {Stage::kMediation, "mediation"},
    {Stage::kExpertReview, "expert_review"},
    {Stage::kAdminDecision, "admin_decision"},
    {Stage::kResolved, "resolved"},
    {Stage::kWithdrawn, "withdrawn"},
    {Stage::kRefused, "refused"},
}};

[[noreturn]] void Refuse(const Dispute& d, const std::string& what) {
    throw core::FailedPrecondition("dispute is in " + std::string(StageName(d.stage)) + ": " + what);
}

void RequireBps(std::int32_t bps, const char* field) {
    if (bps < 0 || bps > kWholeBps) {
        throw core::InvalidArgument(field, "must be between 0 and 10000 basis points, got " + std::to_string(bps));
    }
}

std::string Percent(std::int32_t bps) {
    std::string s = std::to_string(bps / 100) + ".";
    const int rest = bps % 100;
    if (rest < 10) s += "0";
    return s + std::to_string(rest) + "%";
}

Side RequireParty(const Actor& a, const char* what) {
    if (a.kind != Actor::Kind::kParty) throw core::PermissionDenied(std::string("only a party may ") + what);
    return a.side;
}

void RequireStaff(const Actor& a, Actor::Kind role, const char* what) {
    if (a.kind != role && a.kind != Actor::Kind::kAdmin) {
        throw core::PermissionDenied(std::string("only ") +
                                     (role == Actor::Kind::kMediator ? "a mediator"
                                      : role == Actor::Kind::kExpert ? "an expert"
                                                                     : "an admin") +
                                     " may " + what);
    }
}

void Enter(Dispute& d, Stage stage, TimePoint now, std::optional<std::chrono::seconds> period) {
    d.stage = stage;
    d.stage_entered_at = now;
    if (period) {
        d.due_at = now + *period;
    } else {
        d.due_at.reset();
    }
}

Resolution ResolveAmount(const Dispute& d, std::int64_t released, std::int32_t bps, const std::string& by,
                         TimePoint now) {
    Resolution r;
    r.released = released;
    r.refunded = d.escrow - released;
    r.release_bps = bps;
    r.outcome = released == d.escrow ? OutcomeKind::kRelease
                : released == 0      ? OutcomeKind::kRefund
                                     : OutcomeKind::kSplit;
    r.decided_by = by;
    r.rung = d.stage;
    r.resolved_at = now;
    return r;
}

Decision Resolve(Dispute d, std::int64_t released, std::int32_t bps, const std::string& by, TimePoint now,
                 std::string summary) {
    d.resolution = ResolveAmount(d, released, bps, by, now);
    d.stage = Stage::kResolved;
    d.stage_entered_at = now;
    d.due_at.reset();
    return Decision{Outcome::kApplied, std::move(d), Step::kResolved, std::move(summary)};
}

Decision ResolveBps(const Dispute& d, std::int32_t bps, const std::string& by, TimePoint now, std::string summary) {
    return Resolve(d, SplitByBps(d.escrow, bps).released, bps, by, now, std::move(summary));
}

Decision ResolveAsked(const Dispute& d, const std::string& by, TimePoint now, std::string summary) {
    return Resolve(d, d.amount_asked, BpsOf(d.amount_asked, d.escrow), by, now, std::move(summary));
}

Decision Applied(Dispute d, Step step, std::string summary) {
    return Decision{Outcome::kApplied, std::move(d), step, std::move(summary)};
}
Decision Ignored(const Dispute& d) { return Decision{Outcome::kIgnored, d, Step::kNone, {}}; }

Decision OnDeadline(const Dispute& d, const command::Deadline& c, TimePoint now, const Durations& t) {
    // A stale timer (the stage moved on, or the deadline moved) changes nothing.
    if (IsTerminal(d.stage) || !d.due_at || *d.due_at != c.due_at || now < *d.due_at) return Ignored(d);
    Dispute after = d;
    switch (d.stage) {
        case Stage::kResponse:
            return ResolveAsked(d, "system", now,
                                "no answer before the deadline: resolved at the amount asked by the " +
                                    std::string(SideName(d.opener)));
        case Stage::kNegotiation:
            Enter(after, Stage::kMediation, now, t.mediation);
            return Applied(std::move(after), Step::kEscalated, "negotiation ended without agreement: mediation");
        case Stage::kMediation:
            if (d.expert_requested) {
                Enter(after, Stage::kExpertReview, now, t.expert_review);
                return Applied(std::move(after), Step::kEscalated, "mediation ended without agreement: expert review");
            }
            Enter(after, Stage::kAdminDecision, now, t.admin_decision);
            return Applied(std::move(after), Step::kEscalated, "mediation ended without agreement: admin decision");
        case Stage::kExpertReview:
            Enter(after, Stage::kAdminDecision, now, t.admin_decision);
            return Applied(std::move(after), Step::kEscalated, "no recommendation before the deadline: admin decision");
        case Stage::kAdminDecision:
            if (d.recommendation) {
                return ResolveBps(d, d.recommendation->release_bps, "system", now,
                                  "no decision before the deadline: the expert's recommendation applies");
            }
            if (d.proposal) {
                return ResolveBps(d, d.proposal->release_bps, "system", now,
                                  "no decision before the deadline: the mediator's proposal applies");
            }
            return ResolveBps(d, kWholeBps / 2, "system", now, "no decision before the deadline: an even split");
        default:
            return Ignored(d);
    }
}

Decision OnRespond(const Dispute& d, const command::Respond& c, const Actor& a, TimePoint now, const Durations& t) {
    const Side side = RequireParty(a, "answer a dispute");
    if (c.answer == command::Answer::kUnspecified) {
        throw core::InvalidArgument("answer", "must be ANSWER_ACCEPT, ANSWER_COUNTER or ANSWER_CONTEST");
    }
    if (c.answer == command::Answer::kCounter) RequireBps(c.counter_bps, "counter_release_bps");
    if (d.stage != Stage::kResponse) Refuse(d, "only a dispute awaiting its response can be answered");
    if (side == d.opener) throw core::PermissionDenied("the other party answers the dispute, not its opener");
    const std::string who(SideName(side));
    switch (c.answer) {
        case command::Answer::kAccept:
            return ResolveAsked(d, a.user_id, now, "the " + who + " accepted the claim");
        case command::Answer::kCounter: {
            Dispute after = d;
            Offer offer{a.user_id, side, c.counter_bps, now};
            (side == Side::kClient ? after.client_offer : after.freelancer_offer) = offer;
            Enter(after, Stage::kNegotiation, now, t.negotiation);
            return Applied(std::move(after), Step::kAnswered,
                           "the " + who + " countered with " + Percent(c.counter_bps) + " of the escrow");
        }
        case command::Answer::kContest: {
            Dispute after = d;
            Enter(after, Stage::kNegotiation, now, t.negotiation);
            return Applied(std::move(after), Step::kAnswered, "the " + who + " contested the claim");
        }
        case command::Answer::kUnspecified:
            break;
    }
    return Ignored(d);
}

Decision OnOffer(const Dispute& d, const command::MakeOffer& c, const Actor& a, TimePoint now) {
    const Side side = RequireParty(a, "make an offer");
    RequireBps(c.release_bps, "release_bps");
    if (d.stage != Stage::kNegotiation) Refuse(d, "offers are made during negotiation");
    Dispute after = d;
    (side == Side::kClient ? after.client_offer : after.freelancer_offer) = Offer{a.user_id, side, c.release_bps, now};
    return Applied(std::move(after), Step::kOffer,
                   "the " + std::string(SideName(side)) + " offered " + Percent(c.release_bps) + " of the escrow");
}

Decision OnAcceptOffer(const Dispute& d, const command::AcceptOffer& c, const Actor& a, TimePoint now) {
    const Side side = RequireParty(a, "accept an offer");
    RequireBps(c.release_bps, "release_bps");
    if (d.stage != Stage::kNegotiation) Refuse(d, "offers are accepted during negotiation");
    const auto& offer = side == Side::kClient ? d.freelancer_offer : d.client_offer;
    if (!offer) Refuse(d, "the " + std::string(SideName(Other(side))) + " has no standing offer");
    if (offer->release_bps != c.release_bps) {
        Refuse(d, "the standing offer is " + std::to_string(offer->release_bps) + " basis points, not " +
                      std::to_string(c.release_bps));
    }
    return ResolveBps(d, offer->release_bps, a.user_id, now,
                      "the " + std::string(SideName(side)) + " accepted the offer of " + Percent(offer->release_bps));
}

Decision OnPropose(const Dispute& d, const command::Propose& c, const Actor& a, TimePoint now, const Durations& t) {
    RequireStaff(a, Actor::Kind::kMediator, "propose a split");
    RequireBps(c.release_bps, "release_bps");
    if (d.stage != Stage::kMediation) Refuse(d, "a split is proposed during mediation");
    Dispute after = d;
    after.proposal = Offer{a.user_id, std::nullopt, c.release_bps, now};
    after.mediator_id = a.user_id;
    after.client_accepted_proposal = false;
    after.freelancer_accepted_proposal = false;
    // The parties get the acceptance window, but a new proposal never extends mediation beyond its
    // own period plus one window.
    const TimePoint latest = d.stage_entered_at.value_or(now) + t.mediation + t.proposal_acceptance;
    after.due_at = std::min(now + t.proposal_acceptance, latest);
    return Applied(std::move(after), Step::kProposal, "the mediator proposed " + Percent(c.release_bps));
}

Decision OnAcceptProposal(const Dispute& d, const command::AcceptProposal& c, const Actor& a, TimePoint now) {
    const Side side = RequireParty(a, "accept a proposal");
    RequireBps(c.release_bps, "release_bps");
    if (d.stage != Stage::kMediation) Refuse(d, "a proposal is accepted during mediation");
    if (!d.proposal) Refuse(d, "the mediator has not proposed a split yet");
    if (d.proposal->release_bps != c.release_bps) {
        Refuse(d, "the proposal is " + std::to_string(d.proposal->release_bps) + " basis points, not " +
                      std::to_string(c.release_bps));
    }
    Dispute after = d;
    (side == Side::kClient ? after.client_accepted_proposal : after.freelancer_accepted_proposal) = true;
    if (after.client_accepted_proposal && after.freelancer_accepted_proposal) {
        return ResolveBps(after, d.proposal->release_bps, d.proposal->made_by, now,
                          "both parties accepted the mediator's proposal of " + Percent(d.proposal->release_bps));
    }
    return Applied(std::move(after), Step::kProposalAccepted,
                   "the " + std::string(SideName(side)) + " accepted the mediator's proposal");
}

Decision OnRequestExpert(const Dispute& d, const Actor& a) {
    const Side side = RequireParty(a, "ask for an expert review");
    if (d.stage != Stage::kMediation) Refuse(d, "an expert review is asked for during mediation");
    if (d.expert_requested) return Ignored(d);
    Dispute after = d;
    after.expert_requested = true;
    return Applied(std::move(after), Step::kExpertRequested,
                   "the " + std::string(SideName(side)) + " asked for an expert review");
}

Decision OnRecommend(const Dispute& d, const command::Recommend& c, const Actor& a, TimePoint now, const Durations& t) {
    RequireStaff(a, Actor::Kind::kExpert, "recommend an outcome");
    RequireBps(c.release_bps, "release_bps");
    if (c.report.find_first_not_of(" \t\r\n") == std::string::npos)
        throw core::InvalidArgument("report", "is required");
    if (c.report.size() > kMaxReportChars) {
        throw core::InvalidArgument("report", "must be at most " + std::to_string(kMaxReportChars) + " characters");
    }
    if (d.stage != Stage::kExpertReview) Refuse(d, "a recommendation is made during expert review");
    Dispute after = d;
    after.recommendation = Offer{a.user_id, std::nullopt, c.release_bps, now};
    after.expert_id = a.user_id;
    after.expert_report = c.report;
    Enter(after, Stage::kAdminDecision, now, t.admin_decision);
    return Applied(std::move(after), Step::kRecommendation, "the expert recommended " + Percent(c.release_bps));
}

Decision OnDecide(const Dispute& d, const command::Decide& c, const Actor& a, TimePoint now) {
    RequireStaff(a, Actor::Kind::kAdmin, "decide a dispute");
    if (!c.outcome) throw core::InvalidArgument("outcome", "must be OUTCOME_RELEASE, OUTCOME_REFUND or OUTCOME_SPLIT");
    std::int32_t bps = 0;
    switch (*c.outcome) {
        case OutcomeKind::kRelease:
            bps = kWholeBps;
            break;
        case OutcomeKind::kRefund:
            bps = 0;
            break;
        case OutcomeKind::kSplit:
            if (c.release_bps <= 0 || c.release_bps >= kWholeBps) {
                throw core::InvalidArgument("release_bps", "a split releases between 1 and 9999 basis points");
            }
            bps = c.release_bps;
            break;
    }
    if (d.stage != Stage::kAdminDecision) Refuse(d, "an admin decides once the dispute reaches admin_decision");
    return ResolveBps(d, bps, a.user_id, now,
                      "an admin decided: " + std::string(OutcomeName(*c.outcome)) +
                          (*c.outcome == OutcomeKind::kSplit ? " " + Percent(bps) : ""));
}

Decision OnWithdraw(const Dispute& d, const Actor& a, TimePoint now) {
    const Side side = RequireParty(a, "withdraw a dispute");
    if (side != d.opener) throw core::PermissionDenied("only the party who opened the dispute may withdraw it");
    if (d.stage == Stage::kWithdrawn) return Ignored(d);
    if (IsTerminal(d.stage)) Refuse(d, "it can no longer be withdrawn");
    Dispute after = d;
    after.stage = Stage::kWithdrawn;
    after.stage_entered_at = now;
    after.due_at.reset();
    return Applied(std::move(after), Step::kWithdrawn, "the " + std::string(SideName(side)) + " withdrew the dispute");
}

}  // namespace

std::string_view StageName(Stage stage) {
    for (const auto& [s, name] : kStageNames) {
        if (s == stage) return name;
    }
    return "unknown";
}

std::optional<Stage> ParseStage(std::string_view name) {
    for (const auto& [s, n] : kStageNames) {
        if (n == name) return s;
    }
    return std::nullopt;
}

bool IsTerminal(Stage stage) {
    return stage == Stage::kResolved || stage == Stage::kWithdrawn || stage == Stage::kRefused;
}

std::string_view SideName(Side side) { return side == Side::kClient ? "client" : "freelancer"; }

std::optional<Side> ParseSide(std::string_view name) {
    if (name == "client") return Side::kClient;
    if (name == "freelancer") return Side::kFreelancer;
    return std::nullopt;
}

std::string_view OutcomeName(OutcomeKind outcome) {
    switch (outcome) {
        case OutcomeKind::kRelease:
            return "release";
        case OutcomeKind::kRefund:
            return "refund";
        case OutcomeKind::kSplit:
            return "split";
    }
    return "unknown";
}

std::optional<OutcomeKind> ParseOutcome(std::string_view name) {
    if (name == "release") return OutcomeKind::kRelease;
    if (name == "refund") return OutcomeKind::kRefund;
    if (name == "split") return OutcomeKind::kSplit;
    return std::nullopt;
}

bool EvidenceOpen(Stage stage) {
    return stage == Stage::kOpening || stage == Stage::kResponse || stage == Stage::kNegotiation ||
           stage == Stage::kMediation;
}

std::string DefaultAtDue(const Dispute& d) {
    switch (d.stage) {
        case Stage::kOpening:
            return "contracts holds the milestone or refuses; no deadline";
        case Stage::kResponse:
            return "resolved at the amount asked by the " + std::string(SideName(d.opener));
        case Stage::kNegotiation:
            return "mediation";
        case Stage::kMediation:
            return d.expert_requested ? "expert review" : "admin decision";
        case Stage::kExpertReview:
            return "admin decision";
        case Stage::kAdminDecision:
            if (d.recommendation) return "the expert's recommendation applies";
            if (d.proposal) return "the mediator's proposal applies";
            return "an even split";
        default:
            return "";
    }
}

std::string_view StepName(Step step) {
    switch (step) {
        case Step::kNone:
            return "none";
        case Step::kConfirmed:
            return "confirmed";
        case Step::kRefused:
            return "refused";
        case Step::kAnswered:
            return "answered";
        case Step::kOffer:
            return "offer";
        case Step::kProposal:
            return "proposal";
        case Step::kProposalAccepted:
            return "proposal_accepted";
        case Step::kExpertRequested:
            return "expert_requested";
        case Step::kRecommendation:
            return "recommendation";
        case Step::kEscalated:
            return "escalated";
        case Step::kResolved:
            return "resolved";
        case Step::kWithdrawn:
            return "withdrawn";
        case Step::kSettled:
            return "settled";
    }
    return "unknown";
}

std::string_view CommandName(const Command& command) {
    static constexpr std::string_view kNames[] = {
        "confirmed",      "refused",   "respond", "make_offer", "accept_offer", "propose", "accept_proposal",
        "request_expert", "recommend", "decide",  "withdraw",   "deadline",     "settled"};
    return kNames[command.index()];
}

Decision Decide(const Dispute& d, const Command& command, const Actor& a, TimePoint now, const Durations& t) {
    const bool system_command =
        std::holds_alternative<command::Confirmed>(command) || std::holds_alternative<command::Refused>(command) ||
        std::holds_alternative<command::Deadline>(command) || std::holds_alternative<command::Settled>(command);
    if (system_command != (a.kind == Actor::Kind::kSystem)) {
        throw core::PermissionDenied(system_command ? "only the system applies deadlines and other services' answers"
                                                    : "people act on disputes, not the system");
    }
    return std::visit(
        [&](const auto& c) -> Decision {
            using C = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<C, command::Confirmed>) {
                if (d.stage != Stage::kOpening) return Ignored(d);
                Dispute after = d;
                Enter(after, Stage::kResponse, now, t.response);
                return Applied(std::move(after), Step::kConfirmed,
                               "the milestone is held for the dispute; the " + std::string(SideName(Other(d.opener))) +
                                   " answers");
            } else if constexpr (std::is_same_v<C, command::Refused>) {
                if (d.stage != Stage::kOpening) return Ignored(d);
                Dispute after = d;
                after.stage = Stage::kRefused;
                after.stage_entered_at = now;
                after.due_at.reset();
                after.refusal_reason = c.reason.empty() ? "the milestone cannot be disputed" : c.reason;
                return Applied(std::move(after), Step::kRefused, "the dispute was refused: " + after.refusal_reason);
            } else if constexpr (std::is_same_v<C, command::Respond>) {
                return OnRespond(d, c, a, now, t);
            } else if constexpr (std::is_same_v<C, command::MakeOffer>) {
                return OnOffer(d, c, a, now);
            } else if constexpr (std::is_same_v<C, command::AcceptOffer>) {
                return OnAcceptOffer(d, c, a, now);
            } else if constexpr (std::is_same_v<C, command::Propose>) {
                return OnPropose(d, c, a, now, t);
            } else if constexpr (std::is_same_v<C, command::AcceptProposal>) {
                return OnAcceptProposal(d, c, a, now);
            } else if constexpr (std::is_same_v<C, command::RequestExpert>) {
                return OnRequestExpert(d, a);
            } else if constexpr (std::is_same_v<C, command::Recommend>) {
                return OnRecommend(d, c, a, now, t);
            } else if constexpr (std::is_same_v<C, command::Decide>) {
                return OnDecide(d, c, a, now);
            } else if constexpr (std::is_same_v<C, command::Withdraw>) {
                return OnWithdraw(d, a, now);
            } else if constexpr (std::is_same_v<C, command::Deadline>) {
                return OnDeadline(d, c, now, t);
            } else if constexpr (std::is_same_v<C, command::Settled>) {
                if (d.stage != Stage::kResolved || d.settled) return Ignored(d);
                Dispute after = d;
                after.settled = true;
                return Applied(std::move(after), Step::kSettled, "payments settled the escrow");
            }
        },
        command);
}

}  // namespace marketplace::disputes
