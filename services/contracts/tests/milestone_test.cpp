// The milestone state machine: every (state, command, actor) combination, the effects of each
// transition, and the input rules.
#include "domain/milestone.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <utility>

#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::contracts;
using S = MilestoneState;
using K = CommandKind;

namespace {

const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));
const std::chrono::seconds kReview = std::chrono::hours(24 * 14);

/// A milestone in `state`, shaped as the saga leaves it there (funding attempt 1, a due timer).
Milestone In(S state) {
    Milestone m;
    m.state = state;
    m.funding_attempt = state == S::kFundingRequired ? 0 : 1;
    if (state == S::kSubmitted) {
        m.submission_count = 1;
        m.submission_note = "done";
        m.submitted_at = kNow - kReview - std::chrono::seconds(1);
        m.auto_release_at = kNow - std::chrono::seconds(1);
    }
    if (state == S::kDisputed) {
        m.dispute_id = "d1";
        m.disputed_from = S::kFunded;
    }
    return m;
}

/// One valid command of each kind (funding attempt 1 for payments' answers).
Command Sample(K kind) {
    switch (kind) {
        case K::kFund:
            return command::Fund{true};
        case K::kSubmit:
            return command::Submit{"here it is", {"https://example.com/build.zip"}};
        case K::kAccept:
            return command::Accept{};
        case K::kRequestChanges:
            return command::RequestChanges{"please fix the login"};
        case K::kCancel:
            return command::Cancel{};
        case K::kAutoRelease:
            return command::AutoRelease{};
        case K::kEscrowFunded:
            return command::EscrowFunded{1};
        case K::kEscrowFundingFailed:
            return command::EscrowFundingFailed{1, "insufficient funds"};
        case K::kEscrowReleased:
            return command::EscrowReleased{};
        case K::kEscrowRefunded:
            return command::EscrowRefunded{};
        case K::kFundingTimeout:
            return command::FundingTimeout{1};
        case K::kDisputeOpened:
            return command::DisputeOpened{"d1"};
        case K::kDisputeWithdrawn:
            return command::DisputeWithdrawn{"d1"};
        case K::kEscrowSettled:
            return command::EscrowSettled{"d1", "split"};
    }
    FAIL("unknown kind");
    return command::Accept{};
}

constexpr K kAllKinds[] = {K::kFund,
                           K::kSubmit,
                           K::kAccept,
                           K::kRequestChanges,
                           K::kCancel,
                           K::kAutoRelease,
                           K::kEscrowFunded,
                           K::kEscrowFundingFailed,
                           K::kEscrowReleased,
                           K::kEscrowRefunded,
                           K::kFundingTimeout,
                           K::kDisputeOpened,
                           K::kDisputeWithdrawn,
                           K::kEscrowSettled};

/// The whole machine, written out independently of the implementation: what each command does in
/// each state when the right party issues it. Anything not listed is refused (people's commands)
/// or ignored (the system's).
struct Expected {
    Outcome outcome;
    S next;
};
const std::map<std::pair<S, K>, Expected>& Table() {
    static const std::map<std::pair<S, K>, Expected> table = {
        {{S::kFundingRequired, K::kFund}, {Outcome::kApplied, S::kFundingPending}},
        {{S::kFundingPending, K::kEscrowFunded}, {Outcome::kApplied, S::kFunded}},
        {{S::kFundingPending, K::kEscrowFundingFailed}, {Outcome::kApplied, S::kFundingRequired}},
        {{S::kFunded, K::kSubmit}, {Outcome::kApplied, S::kSubmitted}},
        {{S::kChangesRequested, K::kSubmit}, {Outcome::kApplied, S::kSubmitted}},
        {{S::kSubmitted, K::kRequestChanges}, {Outcome::kApplied, S::kChangesRequested}},
        {{S::kSubmitted, K::kAccept}, {Outcome::kApplied, S::kAccepted}},
        {{S::kSubmitted, K::kAutoRelease}, {Outcome::kApplied, S::kAccepted}},
        {{S::kAccepted, K::kAccept}, {Outcome::kAlreadyDone, S::kAccepted}},
        {{S::kPaid, K::kAccept}, {Outcome::kAlreadyDone, S::kPaid}},
        {{S::kAccepted, K::kEscrowReleased}, {Outcome::kApplied, S::kPaid}},
        {{S::kFundingRequired, K::kCancel}, {Outcome::kApplied, S::kCancelled}},
        {{S::kFunded, K::kCancel}, {Outcome::kApplied, S::kCancelPending}},
        {{S::kCancelPending, K::kCancel}, {Outcome::kAlreadyDone, S::kCancelPending}},
        {{S::kCancelled, K::kCancel}, {Outcome::kAlreadyDone, S::kCancelled}},
        {{S::kCancelPending, K::kEscrowRefunded}, {Outcome::kApplied, S::kCancelled}},
        // A late refund of a milestone cancelled while its funding was in flight is recorded.
        {{S::kCancelled, K::kEscrowRefunded}, {Outcome::kApplied, S::kCancelled}},
        {{S::kFundingPending, K::kFundingTimeout}, {Outcome::kApplied, S::kFundingRequired}},
        // Disputes: held from funded, submitted or changes_requested; anywhere else the dispute is
        // refused (an applied decision that changes nothing but answers MilestoneDisputeRefused).
        {{S::kFunded, K::kDisputeOpened}, {Outcome::kApplied, S::kDisputed}},
        {{S::kSubmitted, K::kDisputeOpened}, {Outcome::kApplied, S::kDisputed}},
        {{S::kChangesRequested, K::kDisputeOpened}, {Outcome::kApplied, S::kDisputed}},
        {{S::kFundingRequired, K::kDisputeOpened}, {Outcome::kApplied, S::kFundingRequired}},
        {{S::kFundingPending, K::kDisputeOpened}, {Outcome::kApplied, S::kFundingPending}},
        {{S::kAccepted, K::kDisputeOpened}, {Outcome::kApplied, S::kAccepted}},
        {{S::kPaid, K::kDisputeOpened}, {Outcome::kApplied, S::kPaid}},
        {{S::kCancelPending, K::kDisputeOpened}, {Outcome::kApplied, S::kCancelPending}},
        {{S::kCancelled, K::kDisputeOpened}, {Outcome::kApplied, S::kCancelled}},
        {{S::kRefunded, K::kDisputeOpened}, {Outcome::kApplied, S::kRefunded}},
        {{S::kSplitPaid, K::kDisputeOpened}, {Outcome::kApplied, S::kSplitPaid}},
        {{S::kDisputed, K::kDisputeOpened}, {Outcome::kIgnored, S::kDisputed}},  // the same dispute again
        {{S::kDisputed, K::kDisputeWithdrawn}, {Outcome::kApplied, S::kFunded}},
        {{S::kDisputed, K::kEscrowSettled}, {Outcome::kApplied, S::kSplitPaid}},
    };
    return table;
}

template <typename T>
const T& EffectAt(const Decision& d, std::size_t i) {
    REQUIRE(i < d.effects.size());
    const T* e = std::get_if<T>(&d.effects[i]);
    REQUIRE(e != nullptr);
    return *e;
}

}  // namespace

TEST_CASE("Milestone machine: every state, command and actor does what the table says", "[contracts][milestone]") {
    int checked = 0;
    for (const S state : kAllMilestoneStates) {
        for (const K kind : kAllKinds) {
            for (const Actor actor : kAllActors) {
                CAPTURE(StateName(state), CommandName(kind), ActorName(actor));
                const Milestone before = In(state);
                const Command command = Sample(kind);
                ++checked;
                if (actor != RequiredActor(kind)) {
                    REQUIRE_THROWS_AS(Decide(before, command, actor, kNow, kReview), core::PermissionDenied);
                    continue;
                }
                const auto it = Table().find({state, kind});
                if (it != Table().end()) {
                    const auto d = Decide(before, command, actor, kNow, kReview);
                    CHECK(d.outcome == it->second.outcome);
                    CHECK(d.milestone.state == it->second.next);
                    if (d.outcome != Outcome::kApplied) {
                        CHECK(d.milestone == before);
                        CHECK(d.effects.empty());
                    }
                } else if (actor == Actor::kSystem) {
                    const auto d = Decide(before, command, actor, kNow, kReview);
                    CHECK(d.outcome == Outcome::kIgnored);
                    CHECK(d.milestone == before);
                    CHECK(d.effects.empty());
                } else {
                    REQUIRE_THROWS_AS(Decide(before, command, actor, kNow, kReview), core::FailedPrecondition);
                }
            }
        }
    }
    CHECK(checked == 12 * 14 * 3);
}

TEST_CASE("Milestone machine: the client funds, accepts, requests changes and cancels; the freelancer submits",
          "[contracts][milestone]") {
    CHECK(RequiredActor(K::kFund) == Actor::kClient);
    CHECK(RequiredActor(K::kAccept) == Actor::kClient);
    CHECK(RequiredActor(K::kRequestChanges) == Actor::kClient);
    CHECK(RequiredActor(K::kCancel) == Actor::kClient);
    CHECK(RequiredActor(K::kSubmit) == Actor::kFreelancer);
    for (const K kind :
         {K::kAutoRelease, K::kEscrowFunded, K::kEscrowFundingFailed, K::kEscrowReleased, K::kEscrowRefunded}) {
        CHECK(RequiredActor(kind) == Actor::kSystem);
    }
    // The wrong party is told so before anything about the state.
    try {
        Decide(In(S::kSubmitted), command::Accept{}, Actor::kFreelancer, kNow, kReview);
        FAIL("accepted by the freelancer");
    } catch (const core::PermissionDenied& e) {
        CHECK(e.caller_message() == "only the contract's client may accept a milestone");
    }
}

TEST_CASE("Milestone machine: funding needs both signatures and counts attempts", "[contracts][milestone]") {
    try {
        Decide(In(S::kFundingRequired), command::Fund{false}, Actor::kClient, kNow, kReview);
        FAIL("funded without signatures");
    } catch (const core::FailedPrecondition& e) {
        CHECK(e.caller_message() ==
              "the statement of work must be signed by both parties before a milestone can be funded");
    }

    Milestone m = In(S::kFundingRequired);
    m.funding_attempt = 2;
    m.funding_failure_reason = "insufficient funds";
    const auto d = Decide(m, command::Fund{true}, Actor::kClient, kNow, kReview);
    CHECK(d.milestone.state == S::kFundingPending);
    CHECK(d.milestone.funding_attempt == 3);
    CHECK(d.milestone.funding_failure_reason.empty());
    REQUIRE(d.effects.size() == 2);
    CHECK(EffectAt<effect::RequestFunding>(d, 0).attempt == 3);
    CHECK(EffectAt<effect::ScheduleFundingTimeout>(d, 1).attempt == 3);
}

TEST_CASE("Milestone machine: a failed funding goes back to funding_required with its reason",
          "[contracts][milestone]") {
    const auto d = Decide(In(S::kFundingPending), command::EscrowFundingFailed{1, "insufficient funds: 10.00 EUR"},
                          Actor::kSystem, kNow, kReview);
    CHECK(d.outcome == Outcome::kApplied);
    CHECK(d.milestone.state == S::kFundingRequired);
    CHECK(d.milestone.funding_failure_reason == "insufficient funds: 10.00 EUR");
    REQUIRE(d.effects.size() == 1);
    CHECK(std::holds_alternative<effect::CancelFundingTimeout>(d.effects[0]));

    const auto blank =
        Decide(In(S::kFundingPending), command::EscrowFundingFailed{1, "  "}, Actor::kSystem, kNow, kReview);
    CHECK(blank.milestone.funding_failure_reason == "funding failed");

    const auto longer = Decide(In(S::kFundingPending), command::EscrowFundingFailed{1, std::string(3000, 'x')},
                               Actor::kSystem, kNow, kReview);
    CHECK(longer.milestone.funding_failure_reason.size() == kMaxFailureReasonChars);
}

TEST_CASE("Milestone machine: payments' answers to another funding attempt change nothing", "[contracts][milestone]") {
    Milestone pending = In(S::kFundingPending);
    pending.funding_attempt = 2;
    for (const Command& late : {Command{command::EscrowFunded{1}}, Command{command::EscrowFundingFailed{1, "no"}},
                                Command{command::EscrowFunded{3}}}) {
        const auto d = Decide(pending, late, Actor::kSystem, kNow, kReview);
        CHECK(d.outcome == Outcome::kIgnored);
        CHECK(d.milestone == pending);
    }
    // A replayed EscrowFunded after the milestone moved on is ignored too.
    const auto replay = Decide(In(S::kSubmitted), command::EscrowFunded{1}, Actor::kSystem, kNow, kReview);
    CHECK(replay.outcome == Outcome::kIgnored);
}

TEST_CASE("Milestone machine: a submission records the deliverable and schedules the auto-release",
          "[contracts][milestone]") {
    const auto d = Decide(In(S::kFunded), command::Submit{"v1", {"https://git.example.com/pr/1"}}, Actor::kFreelancer,
                          kNow, kReview);
    CHECK(d.milestone.state == S::kSubmitted);
    CHECK(d.milestone.submission_note == "v1");
    CHECK(d.milestone.submission_links == std::vector<std::string>{"https://git.example.com/pr/1"});
    CHECK(d.milestone.submission_count == 1);
    CHECK(d.milestone.submitted_at == kNow);
    CHECK(d.milestone.auto_release_at == kNow + kReview);
    REQUIRE(d.effects.size() == 2);
    CHECK(EffectAt<effect::AnnounceSubmitted>(d, 0).auto_release_at == kNow + kReview);
    CHECK(EffectAt<effect::ScheduleAutoRelease>(d, 1).due_at == kNow + kReview);
}

TEST_CASE("Milestone machine: changes requested cancel the timer and a resubmission schedules a new one",
          "[contracts][milestone]") {
    Milestone m = Decide(In(S::kFunded), command::Submit{"v1", {}}, Actor::kFreelancer, kNow, kReview).milestone;
    const auto changes = Decide(m, command::RequestChanges{"the login fails"}, Actor::kClient, kNow, kReview);
    CHECK(changes.milestone.state == S::kChangesRequested);
    CHECK(changes.milestone.change_request_feedback == "the login fails");
    CHECK_FALSE(changes.milestone.auto_release_at.has_value());
    REQUIRE(changes.effects.size() == 2);
    EffectAt<effect::CancelAutoRelease>(changes, 0);
    CHECK(EffectAt<effect::AnnounceRejected>(changes, 1).feedback == "the login fails");

    const auto later = kNow + std::chrono::hours(30);
    const auto again = Decide(changes.milestone, command::Submit{"v2", {}}, Actor::kFreelancer, later, kReview);
    CHECK(again.milestone.state == S::kSubmitted);
    CHECK(again.milestone.submission_count == 2);
    CHECK(again.milestone.submission_note == "v2");
    CHECK(again.milestone.auto_release_at == later + kReview);
    CHECK(EffectAt<effect::ScheduleAutoRelease>(again, 1).due_at == later + kReview);
}

TEST_CASE("Milestone machine: the client's accept cancels the timer and pays the freelancer",
          "[contracts][milestone]") {
    const auto d = Decide(In(S::kSubmitted), command::Accept{}, Actor::kClient, kNow, kReview);
    CHECK(d.milestone.state == S::kAccepted);
    CHECK(d.milestone.accepted_at == kNow);
    CHECK_FALSE(d.milestone.auto_released);
    CHECK_FALSE(d.milestone.auto_release_at.has_value());
    REQUIRE(d.effects.size() == 2);
    EffectAt<effect::CancelAutoRelease>(d, 0);
    CHECK_FALSE(EffectAt<effect::AnnounceAccepted>(d, 1).auto_released);

    const auto paid = Decide(d.milestone, command::EscrowReleased{}, Actor::kSystem, kNow, kReview);
    CHECK(paid.milestone.state == S::kPaid);
    CHECK(paid.milestone.paid_at == kNow);
}

TEST_CASE("Milestone machine: the auto-release accepts only once its deadline passed", "[contracts][milestone]") {
    Milestone m = In(S::kSubmitted);
    m.auto_release_at = kNow + std::chrono::seconds(1);
    CHECK(Decide(m, command::AutoRelease{}, Actor::kSystem, kNow, kReview).outcome == Outcome::kIgnored);

    m.auto_release_at = kNow;
    const auto d = Decide(m, command::AutoRelease{}, Actor::kSystem, kNow, kReview);
    CHECK(d.milestone.state == S::kAccepted);
    CHECK(d.milestone.auto_released);
    REQUIRE(d.effects.size() == 1);  // the firing timer removes itself
    CHECK(EffectAt<effect::AnnounceAccepted>(d, 0).auto_released);
}

TEST_CASE("Milestone machine: a second accept, or an accept after the auto-release, changes nothing",
          "[contracts][milestone]") {
    const auto first = Decide(In(S::kSubmitted), command::AutoRelease{}, Actor::kSystem, kNow, kReview);
    const auto second = Decide(first.milestone, command::Accept{}, Actor::kClient, kNow, kReview);
    CHECK(second.outcome == Outcome::kAlreadyDone);
    CHECK(second.effects.empty());
    CHECK(second.milestone.auto_released);
    // And the timer firing after a client's accept does nothing.
    const auto accepted = Decide(In(S::kSubmitted), command::Accept{}, Actor::kClient, kNow, kReview);
    CHECK(Decide(accepted.milestone, command::AutoRelease{}, Actor::kSystem, kNow, kReview).outcome ==
          Outcome::kIgnored);
}

TEST_CASE("Milestone machine: cancelling refunds only what escrow holds", "[contracts][milestone]") {
    const auto unfunded = Decide(In(S::kFundingRequired), command::Cancel{}, Actor::kClient, kNow, kReview);
    CHECK(unfunded.milestone.state == S::kCancelled);
    CHECK(unfunded.milestone.cancelled_at == kNow);
    CHECK_FALSE(unfunded.milestone.refunded);
    CHECK_FALSE(EffectAt<effect::AnnounceCancelled>(unfunded, 0).refund);

    const auto funded = Decide(In(S::kFunded), command::Cancel{}, Actor::kClient, kNow, kReview);
    CHECK(funded.milestone.state == S::kCancelPending);
    CHECK(EffectAt<effect::AnnounceCancelled>(funded, 0).refund);
    const auto refunded = Decide(funded.milestone, command::EscrowRefunded{}, Actor::kSystem, kNow, kReview);
    CHECK(refunded.milestone.state == S::kCancelled);
    CHECK(refunded.milestone.refunded);
    // A replayed refund is ignored.
    CHECK(Decide(refunded.milestone, command::EscrowRefunded{}, Actor::kSystem, kNow, kReview).outcome ==
          Outcome::kIgnored);
}

TEST_CASE("Milestone machine: refusals say why", "[contracts][milestone]") {
    try {
        Decide(In(S::kSubmitted), command::Cancel{}, Actor::kClient, kNow, kReview);
        FAIL("cancelled submitted work");
    } catch (const core::FailedPrecondition& e) {
        CHECK(e.caller_message() ==
              "milestone is submitted: work was submitted; accept it, request changes, or open a dispute");
    }
    try {
        Decide(In(S::kFundingRequired), command::Accept{}, Actor::kClient, kNow, kReview);
        FAIL("accepted an unfunded milestone");
    } catch (const core::FailedPrecondition& e) {
        CHECK(e.caller_message() == "milestone is funding_required: only a submitted milestone can be accepted");
    }
    try {
        Decide(In(S::kDisputed), command::Accept{}, Actor::kClient, kNow, kReview);
        FAIL("accepted a disputed milestone");
    } catch (const core::FailedPrecondition& e) {
        CHECK(e.caller_message() == "milestone is disputed: it is handled by the dispute process");
    }
}

TEST_CASE("Milestone machine: bad submissions and feedback are INVALID_ARGUMENT naming the field",
          "[contracts][milestone]") {
    const auto field_of = [](const Command& c, S state) -> std::string {
        try {
            Decide(In(state), c, RequiredActor(KindOf(c)), kNow, kReview);
        } catch (const core::InvalidArgument& e) {
            return e.field();
        }
        return "(accepted)";
    };
    CHECK(field_of(command::Submit{"", {}}, S::kFunded) == "note");
    CHECK(field_of(command::Submit{std::string(5001, 'a'), {}}, S::kFunded) == "note");
    CHECK(field_of(command::Submit{std::string(5000, 'a'), {}}, S::kFunded) == "(accepted)");
    // 5000 characters of two bytes each are still 5000 characters.
    std::string umlauts;
    for (int i = 0; i < 5000; ++i) umlauts += "\xC3\xA4";
    CHECK(field_of(command::Submit{umlauts, {}}, S::kFunded) == "(accepted)");
    CHECK(field_of(command::Submit{"x", {"https://ok.example", "ftp://nope"}}, S::kFunded) == "links[1]");
    CHECK(field_of(command::Submit{"x", {"https://"}}, S::kFunded) == "links[0]");
    CHECK(field_of(command::Submit{"x", {"https://a.example/ b"}}, S::kFunded) == "links[0]");
    CHECK(field_of(command::Submit{"x", {"https://a.example/" + std::string(2048, 'p')}}, S::kFunded) == "links[0]");
    CHECK(field_of(command::Submit{"x", std::vector<std::string>(21, "https://a.example")}, S::kFunded) == "links");
    CHECK(field_of(command::Submit{"", {"http://a.example"}}, S::kFunded) == "(accepted)");
    CHECK(field_of(command::RequestChanges{""}, S::kSubmitted) == "feedback");
    CHECK(field_of(command::RequestChanges{" \n "}, S::kSubmitted) == "feedback");
    CHECK(field_of(command::RequestChanges{std::string(5001, 'f')}, S::kSubmitted) == "feedback");
    // Bad input is reported whatever the state, even where the command would be refused.
    CHECK(field_of(command::Submit{"", {}}, S::kPaid) == "note");
    CHECK(field_of(command::RequestChanges{""}, S::kDisputed) == "feedback");
}

TEST_CASE("Milestone machine: state names round-trip", "[contracts][milestone]") {
    for (const S state : kAllMilestoneStates) {
        CAPTURE(StateName(state));
        REQUIRE(ParseState(StateName(state)) == state);
    }
    CHECK_FALSE(ParseState("FUNDED").has_value());
    CHECK(IsSettled(S::kPaid));
    CHECK(IsSettled(S::kCancelled));
    CHECK_FALSE(IsSettled(S::kCancelPending));
    CHECK_FALSE(IsSettled(S::kAccepted));
}

TEST_CASE("Milestone machine: a silent payments times the funding out; a late answer is reconciled",
          "[contracts][milestone][funding]") {
    const auto timed_out = Decide(In(S::kFundingPending), command::FundingTimeout{1}, Actor::kSystem, kNow, kReview);
    CHECK(timed_out.milestone.state == S::kFundingRequired);
    CHECK(timed_out.milestone.funding_failure_reason.find("did not answer") != std::string::npos);
    // A timer for an older attempt changes nothing.
    Milestone second = In(S::kFundingPending);
    second.funding_attempt = 2;
    CHECK(Decide(second, command::FundingTimeout{1}, Actor::kSystem, kNow, kReview).outcome == Outcome::kIgnored);
    // payments funded attempt 1 after all: the money is in escrow, so the milestone is funded.
    const auto late = Decide(timed_out.milestone, command::EscrowFunded{1}, Actor::kSystem, kNow, kReview);
    CHECK(late.outcome == Outcome::kApplied);
    CHECK(late.milestone.state == S::kFunded);
    CHECK(late.milestone.funding_failure_reason.empty());
    // ... and for an older attempt too, once the milestone is back in funding_required.
    Milestone retried = timed_out.milestone;
    retried.funding_attempt = 3;
    CHECK(Decide(retried, command::EscrowFunded{2}, Actor::kSystem, kNow, kReview).milestone.state == S::kFunded);
    // An answer to an attempt never made is ignored.
    CHECK(Decide(In(S::kFundingPending), command::EscrowFunded{2}, Actor::kSystem, kNow, kReview).outcome ==
          Outcome::kIgnored);
}

TEST_CASE("Milestone machine: a dispute pauses the auto-release and a withdrawal resumes it with the time left",
          "[contracts][milestone][dispute]") {
    Milestone m = In(S::kSubmitted);
    m.auto_release_at = kNow + std::chrono::hours(30);
    const auto held = Decide(m, command::DisputeOpened{"d1"}, Actor::kSystem, kNow, kReview);
    CHECK(held.milestone.state == S::kDisputed);
    CHECK(held.milestone.disputed_from == S::kSubmitted);
    CHECK_FALSE(held.milestone.auto_release_at);
    CHECK(held.milestone.auto_release_remaining == std::chrono::hours(30));
    REQUIRE(held.effects.size() == 2);
    CHECK(std::holds_alternative<effect::CancelAutoRelease>(held.effects[0]));
    CHECK(EffectAt<effect::AnnounceDisputed>(held, 1).prior == S::kSubmitted);

    // While disputed: the client cannot accept, the timer is ignored, another dispute is refused.
    CHECK_THROWS_AS(Decide(held.milestone, command::Accept{}, Actor::kClient, kNow, kReview), core::FailedPrecondition);
    CHECK(Decide(held.milestone, command::AutoRelease{}, Actor::kSystem, kNow + std::chrono::hours(40), kReview)
              .outcome == Outcome::kIgnored);
    const auto other = Decide(held.milestone, command::DisputeOpened{"d2"}, Actor::kSystem, kNow, kReview);
    CHECK(other.milestone == held.milestone);
    CHECK(EffectAt<effect::AnnounceDisputeRefused>(other, 0).reason == "milestone is disputed by another dispute");

    const auto later = kNow + std::chrono::hours(24 * 9);
    const auto back = Decide(held.milestone, command::DisputeWithdrawn{"d1"}, Actor::kSystem, later, kReview);
    CHECK(back.milestone.state == S::kSubmitted);
    CHECK(back.milestone.auto_release_at == later + std::chrono::hours(30));
    CHECK(EffectAt<effect::ScheduleAutoRelease>(back, 0).due_at == later + std::chrono::hours(30));
    CHECK(EffectAt<effect::AnnounceDisputeLifted>(back, 1).state == S::kSubmitted);
    // A withdrawal of another dispute changes nothing.
    CHECK(Decide(held.milestone, command::DisputeWithdrawn{"d2"}, Actor::kSystem, later, kReview).outcome ==
          Outcome::kIgnored);
}

TEST_CASE("Milestone machine: an accepted milestone refuses a late dispute", "[contracts][milestone][dispute]") {
    const auto d = Decide(In(S::kAccepted), command::DisputeOpened{"d1"}, Actor::kSystem, kNow, kReview);
    CHECK(d.milestone == In(S::kAccepted));
    CHECK(EffectAt<effect::AnnounceDisputeRefused>(d, 0).reason.find("milestone is accepted") == 0);
}

TEST_CASE("Milestone machine: a settled dispute ends in paid, refunded or split_paid",
          "[contracts][milestone][dispute]") {
    const Milestone held = In(S::kDisputed);
    CHECK(Decide(held, command::EscrowSettled{"d1", "release"}, Actor::kSystem, kNow, kReview).milestone.state ==
          S::kPaid);
    CHECK(Decide(held, command::EscrowSettled{"d1", "refund"}, Actor::kSystem, kNow, kReview).milestone.state ==
          S::kRefunded);
    CHECK(Decide(held, command::EscrowSettled{"d1", "split"}, Actor::kSystem, kNow, kReview).milestone.state ==
          S::kSplitPaid);
    CHECK_THROWS_AS(Decide(held, command::EscrowSettled{"d1", "half"}, Actor::kSystem, kNow, kReview),
                    core::InvalidArgument);
    CHECK(Decide(held, command::EscrowSettled{"d2", "release"}, Actor::kSystem, kNow, kReview).outcome ==
          Outcome::kIgnored);
}

TEST_CASE("Milestone machine: every state that is not settled has a way out, and it works",
          "[contracts][milestone][stuck]") {
    for (const S state : kAllMilestoneStates) {
        CAPTURE(StateName(state));
        const auto ways = WaysOut(state);
        if (IsSettled(state)) {
            CHECK(ways.empty());
            continue;
        }
        REQUIRE_FALSE(ways.empty());
        bool one_applies = false;
        for (const auto& way : ways) {
            CAPTURE(CommandName(way.command), way.how);
            CHECK(RequiredActor(way.command) == way.actor);
            Milestone m = In(state);
            if (way.command == K::kAutoRelease) m.auto_release_at = kNow;
            const auto d = Decide(m, Sample(way.command), way.actor, kNow, kReview);
            CHECK(d.outcome == Outcome::kApplied);
            if (d.milestone.state != state) one_applies = true;
        }
        CHECK(one_applies);
    }
}
