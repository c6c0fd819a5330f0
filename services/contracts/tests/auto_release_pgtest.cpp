// The auto-release deadline and the races that must pay exactly once: accepts racing each other,
// and an accept racing the auto-release timer.
#include <catch2/catch.hpp>
#include <thread>

#include "contracts_fixture.hpp"
#include "marketplace/messaging/timers.hpp"
#include "marketplace/testing/wait.hpp"

using namespace marketplace;
using namespace marketplace::contracts;
using namespace marketplace::contracts::testing;

namespace {
const std::string kAccepted = "marketplace.contracts.v1.MilestoneAccepted";
}  // namespace

TEST_CASE("Milestones: the client's silence past the deadline accepts the milestone on its behalf", "[contracts][pg]") {
    const auto c = SubmittedContract();
    F().clock->Advance(kReviewPeriod - std::chrono::minutes(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ten scheduler polls: not due yet
    CHECK(StateOf(c) == v1::MILESTONE_STATE_SUBMITTED);

    F().clock->Advance(std::chrono::minutes(2));
    REQUIRE(marketplace::testing::WaitUntil([&] { return StateOf(c) == v1::MILESTONE_STATE_ACCEPTED; },
                                            std::chrono::seconds(10)));
    const auto m = GetMilestone(c.milestone_ids[0], c.client());
    CHECK(m.auto_released());
    CHECK(CountOf(c.milestone_ids[0], kAccepted) == 1);
    const auto event = Last<v1::MilestoneAccepted>(c.milestone_ids[0]);
    CHECK(event.auto_released());
    CHECK(event.payees(0).user_id() == c.freelancer_id);
    CHECK(AutoReleaseDueMicros(c.milestone_ids[0]) == -1);

    // The client's accept arriving afterwards succeeds and changes nothing.
    v1::AcceptMilestoneResponse late;
    REQUIRE(Accept(c, &late).ok());
    CHECK(late.already_accepted());
    CHECK(late.milestone().auto_released());
    CHECK(CountOf(c.milestone_ids[0], kAccepted) == 1);
}

TEST_CASE("Milestones: two accepts racing pay exactly once", "[contracts][pg]") {
    for (int round = 0; round < 3; ++round) {
        const auto c = SubmittedContract();
        constexpr int kRacers = 4;
        std::vector<v1::AcceptMilestoneResponse> responses(kRacers);
        std::vector<CallOutcome> outcomes(kRacers);
        std::vector<std::thread> threads;
        for (int i = 0; i < kRacers; ++i) {
            threads.emplace_back([&, i] { outcomes[i] = Accept(c, &responses[i]); });
        }
        for (auto& t : threads) t.join();
        int fresh = 0;
        for (int i = 0; i < kRacers; ++i) {
            INFO(outcomes[i].status.error_message());
            REQUIRE(outcomes[i].ok());
            CHECK(responses[i].milestone().state() == v1::MILESTONE_STATE_ACCEPTED);
            fresh += responses[i].already_accepted() ? 0 : 1;
        }
        CHECK(fresh == 1);
        CHECK(CountOf(c.milestone_ids[0], kAccepted) == 1);
    }
}

TEST_CASE("Milestones: an accept racing the auto-release pays exactly once", "[contracts][pg]") {
    // A second scheduler on the same database, fired by hand, races the client's accept (the
    // runtime's own scheduler may join the race too).
    messaging::TimerScheduler scheduler(F().runtime->config().pg, F().clock);
    scheduler.On(kAutoReleaseTimer,
                 [](pqxx::work& tx, const messaging::Timer& timer) { F().events->OnAutoRelease(tx, timer); });
    for (int round = 0; round < 4; ++round) {
        const auto c = SubmittedContract();
        F().clock->Advance(kReviewPeriod + std::chrono::seconds(1));
        v1::AcceptMilestoneResponse accepted;
        CallOutcome outcome;
        std::thread client([&] { outcome = Accept(c, &accepted); });
        std::thread timer([&] { scheduler.RunDue(); });
        client.join();
        timer.join();
        INFO(outcome.status.error_message());
        REQUIRE(outcome.ok());
        CHECK(CountOf(c.milestone_ids[0], kAccepted) == 1);
        const auto m = GetMilestone(c.milestone_ids[0], c.client());
        CHECK(m.state() == v1::MILESTONE_STATE_ACCEPTED);
        // Whoever won, the answer and the record agree.
        CHECK(m.auto_released() == accepted.already_accepted());
        CHECK(Last<v1::MilestoneAccepted>(c.milestone_ids[0]).auto_released() == m.auto_released());
        CHECK(AutoReleaseDueMicros(c.milestone_ids[0]) == -1);
    }
}

TEST_CASE("Milestones: an accept retried with its idempotency key returns the stored answer, even concurrently",
          "[contracts][pg]") {
    const auto c = SubmittedContract();
    const std::string key = Key();
    v1::AcceptMilestoneResponse first;
    v1::AcceptMilestoneResponse second;
    CallOutcome a;
    CallOutcome b;
    std::thread one([&] { a = Accept(c, &first, key); });
    std::thread two([&] { b = Accept(c, &second, key); });
    one.join();
    two.join();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    // Both see the one answer the key stored: accepted now, not "already accepted".
    CHECK(first.SerializeAsString() == second.SerializeAsString());
    CHECK_FALSE(first.already_accepted());
    CHECK(CountOf(c.milestone_ids[0], kAccepted) == 1);

    // Later, after payment, the same key still returns that stored answer.
    EscrowReleased(c.milestone_ids[0], 120000);
    v1::AcceptMilestoneResponse replay;
    REQUIRE(Accept(c, &replay, key).ok());
    CHECK(replay.SerializeAsString() == first.SerializeAsString());
    CHECK(replay.milestone().state() == v1::MILESTONE_STATE_ACCEPTED);
}
