#pragma once
// The dispute ladder as pure functions: no database, no RPC (docs/ARCHITECTURE.md, "The dispute saga").
//
//   opening --Confirmed (contracts holds the milestone)--> response        --Refused(reason)--> refused
//   response --Respond(accept)--> resolved at the amount asked
//   response --Respond(counter | contest)--> negotiation
//   response --deadline--> resolved at the amount asked (the opener's claim stands)
//   negotiation --AcceptOffer(the other side's standing offer)--> resolved by it
//   negotiation --deadline--> mediation
//   mediation --ProposeSplit (mediator)--> mediation with a proposal, due moves to the acceptance window
//   mediation --AcceptProposal by both parties--> resolved by the proposal
//   mediation --deadline--> expert_review when a party asked for one, else admin_decision
//   expert_review --SubmitRecommendation (expert) | deadline--> admin_decision
//   admin_decision --Decide (admin)--> resolved
//   admin_decision --deadline--> resolved by the expert's recommendation, else the mediator's
//                                proposal, else an even split
//   any stage before resolved --Withdraw (opener)--> withdrawn
//
// With the default durations (5 + 7 + 3 + 2 + 2 + 2 days) the longest way from opening to a final
// outcome is 21 days. Commands from people throw core::PermissionDenied (the wrong person),
// core::InvalidArgument (bad input, naming the field) or core::FailedPrecondition (the wrong
// stage); commands from the system (deadlines, contracts' and payments' answers) never throw for
// the stage: a stale or replayed one is Outcome::kIgnored.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "marketplace/core/clock.hpp"

namespace marketplace::disputes {

using TimePoint = core::Clock::TimePoint;

enum class Stage {
    kOpening,
    kResponse,
    kNegotiation,
    kMediation,
    kExpertReview,
    kAdminDecision,
    kResolved,
    kWithdrawn,
    kRefused,
};
inline constexpr Stage kAllStages[] = {Stage::kOpening,   Stage::kResponse,     Stage::kNegotiation,
                                       Stage::kMediation, Stage::kExpertReview, Stage::kAdminDecision,
                                       Stage::kResolved,  Stage::kWithdrawn,    Stage::kRefused};
std::string_view StageName(Stage stage);
std::optional<Stage> ParseStage(std::string_view name);
bool IsTerminal(Stage stage);

enum class Side { kClient, kFreelancer };
std::string_view SideName(Side side);
std::optional<Side> ParseSide(std::string_view name);
inline Side Other(Side side) { return side == Side::kClient ? Side::kFreelancer : Side::kClient; }

enum class OutcomeKind { kRelease, kRefund, kSplit };
std::string_view OutcomeName(OutcomeKind outcome);
std::optional<OutcomeKind> ParseOutcome(std::string_view name);

/// Who acts: a party of the contract, staff by role, or the system (deadlines and other services).
struct Actor {
    enum class Kind { kParty, kMediator, kExpert, kAdmin, kSystem } kind = Kind::kSystem;
    std::string user_id;        // empty for the system
    Side side = Side::kClient;  // for kParty
    static Actor Party(std::string id, Side side) { return {Kind::kParty, std::move(id), side}; }
    static Actor Staff(Kind kind, std::string id) { return {kind, std::move(id), Side::kClient}; }
    static Actor System() { return {}; }
};

/// How long each rung lasts (configuration: DISPUTE_RESPONSE_PERIOD and the others).
struct Durations {
    std::chrono::seconds response{std::chrono::hours(24 * 5)};
    std::chrono::seconds negotiation{std::chrono::hours(24 * 7)};
    std::chrono::seconds mediation{std::chrono::hours(24 * 3)};            // for the mediator to propose
    std::chrono::seconds proposal_acceptance{std::chrono::hours(24 * 2)};  // for both parties to accept
    std::chrono::seconds expert_review{std::chrono::hours(24 * 2)};
    std::chrono::seconds admin_decision{std::chrono::hours(24 * 2)};
    std::chrono::seconds reminder_before{std::chrono::hours(24)};
    /// The longest a dispute can last from confirmation to a final outcome.
    std::chrono::seconds WorstCase() const {
        return response + negotiation + mediation + proposal_acceptance + expert_review + admin_decision;
    }
};

struct Offer {
    std::string made_by;
    std::optional<Side> side;  // empty for staff
    std::int32_t release_bps = 0;
    TimePoint made_at{};
    bool operator==(const Offer&) const = default;
};

struct Resolution {
    OutcomeKind outcome = OutcomeKind::kSplit;
    std::int64_t released = 0;
    std::int64_t refunded = 0;
    std::int32_t release_bps = 0;
    std::string decided_by;  // a user id or "system"
    Stage rung = Stage::kResponse;
    TimePoint resolved_at{};
    bool operator==(const Resolution&) const = default;
};

/// The aggregate.
struct Dispute {
    std::string id;
    std::string milestone_id;
    std::string contract_id;
    std::string client_id;
    std::string freelancer_id;
    std::string opened_by;
    Side opener = Side::kClient;
    std::int64_t escrow = 0;  // minor units
    std::string currency;
    std::int64_t amount_asked = 0;  // paid to the freelancer, in minor units
    Stage stage = Stage::kOpening;
    std::optional<TimePoint> stage_entered_at;
    std::optional<TimePoint> due_at;
    std::optional<Offer> client_offer;
    std::optional<Offer> freelancer_offer;
    std::optional<Offer> proposal;
    std::string mediator_id;
    bool client_accepted_proposal = false;
    bool freelancer_accepted_proposal = false;
    bool expert_requested = false;
    std::optional<Offer> recommendation;
    std::string expert_id;
    std::string expert_report;
    std::optional<Resolution> resolution;
    bool settled = false;
    std::string refusal_reason;

    const std::string& PartyId(Side side) const { return side == Side::kClient ? client_id : freelancer_id; }
    bool operator==(const Dispute&) const = default;
};

/// Evidence may be added until mediation ends.
bool EvidenceOpen(Stage stage);
/// What happens when the stage's deadline passes, in words ("resolved at the amount asked").
std::string DefaultAtDue(const Dispute& d);

namespace command {
struct Confirmed {};  // contracts holds the milestone
struct Refused {
    std::string reason;
};
enum class Answer { kUnspecified, kAccept, kCounter, kContest };
struct Respond {
    Answer answer = Answer::kUnspecified;
    std::int32_t counter_bps = 0;
};
struct MakeOffer {
    std::int32_t release_bps = 0;
};
struct AcceptOffer {
    std::int32_t release_bps = 0;
};
struct Propose {
    std::int32_t release_bps = 0;
};
struct AcceptProposal {
    std::int32_t release_bps = 0;
};
struct RequestExpert {};
struct Recommend {
    std::int32_t release_bps = 0;
    std::string report;
};
struct Decide {
    std::optional<OutcomeKind> outcome;
    std::int32_t release_bps = 0;
};  // unset: refused
struct Withdraw {};
struct Deadline {
    TimePoint due_at{};
};                  // the durable timer for `due_at` fired
struct Settled {};  // payments settled the escrow
}  // namespace command

using Command =
    std::variant<command::Confirmed, command::Refused, command::Respond, command::MakeOffer, command::AcceptOffer,
                 command::Propose, command::AcceptProposal, command::RequestExpert, command::Recommend, command::Decide,
                 command::Withdraw, command::Deadline, command::Settled>;
std::string_view CommandName(const Command& command);

/// What the application must do after a decision, besides saving the dispute.
enum class Step {
    kNone,
    kConfirmed,  // announce the new rung
    kRefused,
    kAnswered,
    kOffer,
    kProposal,
    kProposalAccepted,
    kExpertRequested,
    kRecommendation,
    kEscalated,  // a deadline moved it to the next rung
    kResolved,   // publish DisputeResolved
    kWithdrawn,  // publish DisputeWithdrawn
    kSettled,
};
std::string_view StepName(Step step);

enum class Outcome { kApplied, kIgnored };

struct Decision {
    Outcome outcome = Outcome::kIgnored;
    Dispute dispute;  // after the command
    Step step = Step::kNone;
    std::string summary;  // a line for people
};

inline constexpr std::size_t kMaxReportChars = 20000;

/// Applies `command` from `actor` at `now`.
Decision Decide(const Dispute& dispute, const Command& command, const Actor& actor, TimePoint now,
                const Durations& durations);

}  // namespace marketplace::disputes
