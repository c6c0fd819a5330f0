// The dispute ladder: every rung's moves and its default at the deadline, who may do what, the
// limits of the worst case, and that nothing non-terminal is left without a way out.
#include "domain/dispute.hpp"

#include <catch2/catch.hpp>

#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::disputes;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'800'000'000));
const Durations kDurations;
const std::string kClient = "c0000000-0000-4000-8000-000000000001";
const std::string kFreelancer = "f0000000-0000-4000-8000-000000000002";
const std::string kMediator = "m0000000-0000-4000-8000-000000000003";
const std::string kExpert = "e0000000-0000-4000-8000-000000000004";
const std::string kAdmin = "a0000000-0000-4000-8000-000000000005";

const Actor kClientA = Actor::Party(kClient, Side::kClient);
const Actor kFreelancerA = Actor::Party(kFreelancer, Side::kFreelancer);
const Actor kMediatorA = Actor::Staff(Actor::Kind::kMediator, kMediator);
const Actor kExpertA = Actor::Staff(Actor::Kind::kExpert, kExpert);
const Actor kAdminA = Actor::Staff(Actor::Kind::kAdmin, kAdmin);
const Actor kSystem = Actor::System();

Dispute Opened(Side opener = Side::kFreelancer, std::int64_t asked = 10000) {
    Dispute d;
    d.id = "d0000000-0000-4000-8000-000000000000";
    d.client_id = kClient;
    d.freelancer_id = kFreelancer;
    d.opener = opener;
    d.opened_by = opener == Side::kClient ? kClient : kFreelancer;
    d.escrow = 10000;
    d.currency = "EUR";
    d.amount_asked = asked;
    return d;
}

Decision Run(const Dispute& d, const Command& c, const Actor& a, TimePoint now = kT0) {
    return Decide(d, c, a, now, kDurations);
}

Dispute Apply(const Dispute& d, const Command& c, const Actor& a, TimePoint now = kT0) {
    auto decision = Run(d, c, a, now);
    REQUIRE(decision.outcome == Outcome::kApplied);
    return decision.dispute;
}

Dispute Confirmed(Side opener = Side::kFreelancer, std::int64_t asked = 10000) {
    return Apply(Opened(opener, asked), command::Confirmed{}, kSystem);
}

Dispute InNegotiation() { return Apply(Confirmed(), command::Respond{command::Answer::kContest, 0}, kClientA); }

Dispute InMediation() {
    const auto d = InNegotiation();
    return Apply(d, command::Deadline{*d.due_at}, kSystem, *d.due_at);
}

Dispute Pass(const Dispute& d) { return Apply(d, command::Deadline{*d.due_at}, kSystem, *d.due_at); }

}  // namespace

TEST_CASE("Opening: contracts' confirmation starts the response rung with its deadline", "[disputes][ladder]") {
    const auto d = Confirmed();
    CHECK(d.stage == Stage::kResponse);
    CHECK(d.due_at == kT0 + kDurations.response);
    // A replay changes nothing.
    CHECK(Run(d, command::Confirmed{}, kSystem).outcome == Outcome::kIgnored);
    const auto refused = Apply(Opened(), command::Refused{"milestone is accepted"}, kSystem);
    CHECK(refused.stage == Stage::kRefused);
    CHECK(refused.refusal_reason == "milestone is accepted");
    CHECK(IsTerminal(refused.stage));
}

TEST_CASE("Response: accepting the claim resolves at the amount asked", "[disputes][ladder]") {
    const auto d = Apply(Confirmed(Side::kFreelancer, 7000), command::Respond{command::Answer::kAccept, 0}, kClientA);
    REQUIRE(d.resolution);
    CHECK(d.stage == Stage::kResolved);
    CHECK(d.resolution->outcome == OutcomeKind::kSplit);
    CHECK(d.resolution->released == 7000);
    CHECK(d.resolution->refunded == 3000);
    CHECK(d.resolution->decided_by == kClient);
    CHECK(d.resolution->rung == Stage::kResponse);
}

TEST_CASE("Response: only the other party answers", "[disputes][ladder][authz]") {
    const auto d = Confirmed(Side::kFreelancer);
    CHECK_THROWS_AS(Run(d, command::Respond{command::Answer::kAccept, 0}, kFreelancerA), core::PermissionDenied);
    CHECK_THROWS_AS(Run(d, command::Respond{command::Answer::kAccept, 0}, kMediatorA), core::PermissionDenied);
    CHECK_THROWS_AS(Run(d, command::Respond{command::Answer::kCounter, 10001}, kClientA), core::InvalidArgument);
}

TEST_CASE("Response: silence until the deadline resolves in the opener's favour", "[disputes][ladder][default]") {
    const auto d = Confirmed(Side::kClient, 2500);  // the client is willing to pay a quarter
    // Before the deadline the timer is stale.
    CHECK(Run(d, command::Deadline{*d.due_at}, kSystem, *d.due_at - 1s).outcome == Outcome::kIgnored);
    // A timer for another deadline is stale too.
    CHECK(Run(d, command::Deadline{*d.due_at + 1s}, kSystem, *d.due_at + 2s).outcome == Outcome::kIgnored);
    const auto after = Pass(d);
    REQUIRE(after.resolution);
    CHECK(after.resolution->released == 2500);
    CHECK(after.resolution->decided_by == "system");
    CHECK(after.resolution->rung == Stage::kResponse);
}

TEST_CASE("Negotiation: a counter-offer, a new offer, and its acceptance", "[disputes][ladder]") {
    auto d = Apply(Confirmed(), command::Respond{command::Answer::kCounter, 4000}, kClientA);
    CHECK(d.stage == Stage::kNegotiation);
    REQUIRE(d.client_offer);
    CHECK(d.client_offer->release_bps == 4000);
    d = Apply(d, command::MakeOffer{7000}, kFreelancerA);
    // Accepting one's own offer is not possible; accepting a changed offer is refused.
    CHECK_THROWS_AS(Run(d, command::AcceptOffer{7000}, kFreelancerA), core::FailedPrecondition);
    CHECK_THROWS_AS(Run(d, command::AcceptOffer{6000}, kClientA), core::FailedPrecondition);
    CHECK_THROWS_AS(Run(d, command::AcceptOffer{7000}, kMediatorA), core::PermissionDenied);
    const auto resolved = Apply(d, command::AcceptOffer{7000}, kClientA);
    REQUIRE(resolved.resolution);
    CHECK(resolved.resolution->released == 7000);
    CHECK(resolved.resolution->rung == Stage::kNegotiation);
}

TEST_CASE("Negotiation: the deadline moves to mediation", "[disputes][ladder][default]") {
    const auto d = InMediation();
    CHECK(d.stage == Stage::kMediation);
    CHECK(d.due_at == *d.stage_entered_at + kDurations.mediation);
}

TEST_CASE("Mediation: a proposal accepted by both resolves", "[disputes][ladder]") {
    auto d = InMediation();
    CHECK_THROWS_AS(Run(d, command::Propose{5000}, kClientA), core::PermissionDenied);
    CHECK_THROWS_AS(Run(d, command::Propose{5000}, kExpertA), core::PermissionDenied);
    const TimePoint at = *d.stage_entered_at + 1h;
    d = Apply(d, command::Propose{5500}, kMediatorA, at);
    CHECK(d.due_at == at + kDurations.proposal_acceptance);
    d = Apply(d, command::AcceptProposal{5500}, kClientA, at + 1h);
    CHECK(d.stage == Stage::kMediation);
    const auto resolved = Apply(d, command::AcceptProposal{5500}, kFreelancerA, at + 2h);
    REQUIRE(resolved.resolution);
    CHECK(resolved.resolution->released == 5500);
    CHECK(resolved.resolution->decided_by == kMediator);
    CHECK(resolved.resolution->rung == Stage::kMediation);
}

TEST_CASE("Mediation: a new proposal clears earlier acceptances and cannot stretch the rung", "[disputes][ladder]") {
    auto d = InMediation();
    const TimePoint entered = *d.stage_entered_at;
    d = Apply(d, command::Propose{5000}, kMediatorA, entered + 1h);
    d = Apply(d, command::AcceptProposal{5000}, kClientA, entered + 2h);
    d = Apply(d, command::Propose{6000}, kMediatorA, entered + kDurations.mediation + 1h);
    CHECK_FALSE(d.client_accepted_proposal);
    CHECK(d.due_at == entered + kDurations.mediation + kDurations.proposal_acceptance);
}

TEST_CASE("Mediation: without agreement, an expert review when asked for, else the admin", "[disputes][ladder]") {
    const auto plain = Pass(InMediation());
    CHECK(plain.stage == Stage::kAdminDecision);
    auto d = Apply(InMediation(), command::RequestExpert{}, kFreelancerA);
    CHECK(d.expert_requested);
    CHECK_THROWS_AS(Run(d, command::RequestExpert{}, kMediatorA), core::PermissionDenied);
    d = Pass(d);
    CHECK(d.stage == Stage::kExpertReview);
    CHECK_THROWS_AS(Run(d, command::Recommend{3000, "report"}, kMediatorA), core::PermissionDenied);
    CHECK_THROWS_AS(Run(d, command::Recommend{3000, "  "}, kExpertA), core::InvalidArgument);
    d = Apply(d, command::Recommend{3000, "the tests fail"}, kExpertA);
    CHECK(d.stage == Stage::kAdminDecision);
    REQUIRE(d.recommendation);
    CHECK(d.expert_report == "the tests fail");
}

TEST_CASE("Admin decision: release, refund or a split, by an admin only", "[disputes][ladder]") {
    const auto d = Pass(InMediation());
    CHECK_THROWS_AS(Run(d, command::Decide{OutcomeKind::kRelease, 0}, kMediatorA), core::PermissionDenied);
    CHECK_THROWS_AS(Run(d, command::Decide{OutcomeKind::kSplit, 10000}, kAdminA), core::InvalidArgument);
    CHECK(Apply(d, command::Decide{OutcomeKind::kRelease, 0}, kAdminA).resolution->released == 10000);
    CHECK(Apply(d, command::Decide{OutcomeKind::kRefund, 0}, kAdminA).resolution->released == 0);
    const auto split = Apply(d, command::Decide{OutcomeKind::kSplit, 2500}, kAdminA);
    CHECK(split.resolution->outcome == OutcomeKind::kSplit);
    CHECK(split.resolution->released == 2500);
    CHECK(split.resolution->rung == Stage::kAdminDecision);
}

TEST_CASE("Admin decision: the default is the recommendation, else the proposal, else an even split",
          "[disputes][ladder][default]") {
    auto bare = Pass(Pass(InMediation()));
    CHECK(bare.resolution->released == 5000);
    CHECK(bare.resolution->decided_by == "system");

    auto proposed = Apply(InMediation(), command::Propose{8000}, kMediatorA);
    proposed = Pass(Pass(proposed));
    CHECK(proposed.resolution->released == 8000);

    auto reviewed = Apply(InMediation(), command::RequestExpert{}, kClientA);
    reviewed = Apply(Pass(reviewed), command::Recommend{1000, "report"}, kExpertA);
    CHECK(Pass(reviewed).resolution->released == 1000);
}

TEST_CASE("Withdraw: only the opener, only before a resolution", "[disputes][ladder]") {
    const auto d = InNegotiation();
    CHECK_THROWS_AS(Run(d, command::Withdraw{}, kClientA), core::PermissionDenied);
    const auto w = Apply(d, command::Withdraw{}, kFreelancerA);
    CHECK(w.stage == Stage::kWithdrawn);
    CHECK_FALSE(w.due_at);
    const auto resolved = Apply(Confirmed(), command::Respond{command::Answer::kAccept, 0}, kClientA);
    CHECK_THROWS_AS(Run(resolved, command::Withdraw{}, kFreelancerA), core::FailedPrecondition);
}

TEST_CASE("Settled: once, after the resolution", "[disputes][ladder]") {
    const auto resolved = Apply(Confirmed(), command::Respond{command::Answer::kAccept, 0}, kClientA);
    const auto settled = Apply(resolved, command::Settled{}, kSystem);
    CHECK(settled.settled);
    CHECK(Run(settled, command::Settled{}, kSystem).outcome == Outcome::kIgnored);
    CHECK(Run(Confirmed(), command::Settled{}, kSystem).outcome == Outcome::kIgnored);
}

TEST_CASE("People cannot send the system's commands, nor the system people's", "[disputes][authz]") {
    CHECK_THROWS_AS(Run(Opened(), command::Confirmed{}, kClientA), core::PermissionDenied);
    CHECK_THROWS_AS(Run(Confirmed(), command::MakeOffer{1}, kSystem), core::PermissionDenied);
}

TEST_CASE("Every non-terminal stage has a deadline with a default or someone who moves it", "[disputes][ladder]") {
    // The longest way with the defaults: 21 days from confirmation to a final outcome.
    CHECK(kDurations.WorstCase() == std::chrono::hours(24 * 21));
    for (const Stage stage : kAllStages) {
        if (IsTerminal(stage)) continue;
        INFO("stage " << StageName(stage));
        if (stage == Stage::kOpening) {
            // Moved by contracts' answer, which the saga always sends (held or refused).
            CHECK(Run(Opened(), command::Confirmed{}, kSystem).outcome == Outcome::kApplied);
            continue;
        }
        // Walk to the stage, then let its deadline pass: the dispute always moves on.
        Dispute d = Confirmed();
        if (stage != Stage::kResponse) d = Apply(d, command::Respond{command::Answer::kContest, 0}, kClientA);
        if (stage == Stage::kMediation || stage == Stage::kExpertReview || stage == Stage::kAdminDecision) d = Pass(d);
        if (stage == Stage::kExpertReview) d = Pass(Apply(d, command::RequestExpert{}, kClientA));
        if (stage == Stage::kAdminDecision) d = Pass(d);
        REQUIRE(d.stage == stage);
        REQUIRE(d.due_at);
        CHECK_FALSE(DefaultAtDue(d).empty());
        const auto next = Pass(d);
        CHECK(next.stage != stage);
    }
    // And the full default path ends, within the worst case.
    Dispute d = Apply(Confirmed(), command::Respond{command::Answer::kContest, 0}, kClientA);
    d = Apply(d, command::Deadline{*d.due_at}, kSystem, *d.due_at);
    d = Apply(d, command::RequestExpert{}, kClientA, *d.stage_entered_at);
    d = Apply(d, command::Propose{5000}, kMediatorA, *d.stage_entered_at + kDurations.mediation - 1s);
    while (!IsTerminal(d.stage)) d = Pass(d);
    CHECK(d.resolution->resolved_at - kT0 <= kDurations.WorstCase());
}
