// The sagas while the local stack's PostgreSQL server fails under every service at once: first a
// restart (a crash: every session cut, crash recovery, started again at once), then the server held
// down for 30 s. The services wait it out (connection failures and pool timeouts retried with capped
// backoff in the consumers, the outbox relays and the timer loops; UNAVAILABLE to callers, who retry
// with the same idempotency key), none of them exits, no event is parked as a dead letter, and each
// case ends with every milestone paid exactly once and a healthy ledger audit.
#include <catch2/catch.hpp>

#include <thread>

#include "chaos.hpp"
#include "marketplace/testing/database_control.hpp"
#include "marketplace/testing/wait.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using namespace e2e;

namespace {

constexpr std::int64_t kAmount = 100000;

std::vector<Deal> Deals(int count) {
    std::vector<Deal> deals;
    for (int i = 0; i < count; ++i) deals.push_back(NewDeal(kAmount, kAmount));
    return deals;
}

/// Brings the server back even when an assertion ends the test case early.
struct StartAgainOnExit {
    const testing::DatabaseControl& pg;
    ~StartAgainOnExit() {
        try {
            pg.Start();
        } catch (const std::exception&) {
        }
    }
};

void CheckServicesSurvived() {
    const auto exited = S().Exited();
    std::string names;
    for (const auto& n : exited) names += n + " ";
    INFO("exited: " << names << "\n" << S().Logs());
    CHECK(exited.empty());
}

void CheckNoDeadLetters() {
    const auto dbs = S().Databases();
    for (const char* service : {"contracts", "payments", "notifications"}) {
        INFO(service);
        CHECK(CountRows(dbs.at(service), "SELECT count(*) FROM dead_letters") == 0);
    }
}

void CheckAllFinished(SagaRun& run, int deals) {
    const auto failures = run.Join();
    CHECK(run.paid() == deals);
    for (const auto& f : failures) {
        INFO(f);
        CHECK(f.empty());
    }
}

}  // namespace

TEST_CASE("PostgreSQL: the server crashes and restarts mid-saga; every saga is paid once", "[e2e][chaos][pg]") {
    testing::DatabaseControl pg;
    const auto deals = Deals(6);

    SagaRun run(deals, 300ms);
    REQUIRE(testing::WaitUntil([&] { return run.funded() >= 1; }, 60s, 10ms));
    const int paid_at_fault = run.paid();
    {
        StartAgainOnExit guard{pg};
        pg.Stop(testing::PgStop::kCrash);
    }
    CHECK(paid_at_fault < static_cast<int>(deals.size()));  // the fault did land mid-saga

    CheckAllFinished(run, static_cast<int>(deals.size()));
    CheckServicesSurvived();
    CheckPaidExactlyOnce(deals, kAmount);
    CheckNoDeadLetters();
}

TEST_CASE("PostgreSQL: the server down for 30 s mid-saga; every saga is paid once when it is back",
          "[e2e][chaos][pg]") {
    testing::DatabaseControl pg;
    const auto deals = Deals(6);

    SagaRun run(deals, 300ms);
    REQUIRE(testing::WaitUntil([&] { return run.funded() >= 1; }, 60s, 10ms));
    const int paid_at_fault = run.paid();
    {
        StartAgainOnExit guard{pg};
        pg.Stop(testing::PgStop::kCrash);
        std::this_thread::sleep_for(30s);
        // Every service is still there while the database is gone.
        CheckServicesSurvived();
    }
    CHECK(paid_at_fault < static_cast<int>(deals.size()));

    CheckAllFinished(run, static_cast<int>(deals.size()));
    CheckServicesSurvived();
    CheckPaidExactlyOnce(deals, kAmount);
    CheckNoDeadLetters();
}
