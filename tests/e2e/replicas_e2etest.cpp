// Two replicas of contracts and of payments on one database each, as operators run them, and one
// replica of each killed (SIGKILL: no drain, no relay flush, no offset commit) while sagas run. The
// killed replicas' consumers leave their groups, so the groups rebalance onto the survivors. The sagas
// must all finish, and every effect must happen exactly once.
#include <catch2/catch.hpp>

#include "chaos.hpp"
#include "marketplace/testing/wait.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using namespace e2e;

TEST_CASE("Replicas: one of two contracts and one of two payments killed mid-saga; every saga finishes exactly once",
          "[e2e][replicas][chaos]") {
    constexpr int kDeals = 6;
    constexpr std::int64_t kAmount = 100000;
    std::vector<Deal> deals;
    for (int i = 0; i < kDeals; ++i) deals.push_back(NewDeal(kAmount, kAmount));

    S().StartReplica("contracts");
    S().StartReplica("payments");

    SagaRun run(deals, 150ms);
    // The crash: once some sagas are funded and others are still on their way.
    const bool some_funded = testing::WaitUntil([&] { return run.funded() >= 2; }, 60s, 10ms);
    S().KillFirstReplica("contracts");
    S().KillFirstReplica("payments");
    const int paid_before_kill = run.paid();
    const auto failures = run.Join();
    REQUIRE(some_funded);
    CHECK(paid_before_kill < kDeals);  // the kill did land mid-saga
    CHECK(run.paid() == kDeals);
    for (const auto& f : failures) {
        INFO(f);
        CHECK(f.empty());
    }

    CheckPaidExactlyOnce(deals, kAmount);
}
