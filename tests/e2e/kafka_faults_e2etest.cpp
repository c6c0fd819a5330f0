// The sagas on the local stack's real Apache Kafka cluster (three KRaft nodes, replication 3,
// min.insync.replicas 2) while the cluster fails: the leader of a partition the sagas use is killed
// (SIGKILL: no controlled shutdown), and every broker is stopped for 10 s. Each case ends with every
// milestone paid exactly once, no dead letter, and a healthy ledger audit. (A service replica killed,
// so that its consumer group rebalances, is e2e_replicas_test.)
#include <catch2/catch.hpp>

#include <thread>

#include "chaos.hpp"
#include "marketplace/testing/broker_control.hpp"
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

void CheckNoDeadLetters() {
    const auto dbs = S().Databases();
    for (const char* service : {"contracts", "payments", "notifications"}) {
        INFO(service);
        CHECK(CountRows(dbs.at(service), "SELECT count(*) FROM dead_letters") == 0);
    }
}

void CheckAllFinished(SagaRun& run, int deals, int paid_at_fault) {
    const auto failures = run.Join();
    CHECK(paid_at_fault < deals);  // the fault did land mid-saga
    CHECK(run.paid() == deals);
    for (const auto& f : failures) {
        INFO(f);
        CHECK(f.empty());
    }
}

}  // namespace

TEST_CASE("Kafka: the leader of a saga partition killed mid-saga; leadership moves and every saga is paid once",
          "[e2e][kafka][chaos]") {
    testing::BrokerControl kafka;
    REQUIRE(kafka.BrokerCount() == 3);
    const std::string topic = S().topic_prefix() + "contracts.events.v1";
    const auto deals = Deals(8);

    // Sagas start 400 ms apart, so the last ones are still to come when the first is funded.
    SagaRun run(deals, 400ms);
    REQUIRE(testing::WaitUntil([&] { return run.funded() >= 1; }, 60s, 10ms));
    const int victim = kafka.Leader(topic, 0);
    REQUIRE(victim > 0);
    const int paid_at_fault = run.paid();
    kafka.BrokerDown(victim);
    // Another replica, in sync when the leader died, leads the partition now.
    int new_leader = -1;
    CHECK(testing::WaitUntil(
        [&] {
            try {
                new_leader = kafka.Leader(topic, 0);
            } catch (const std::exception&) {
                new_leader = -1;
            }
            return new_leader > 0 && new_leader != victim;
        },
        30s, 100ms));
    INFO("killed broker " << victim << ", partition 0 now led by " << new_leader);

    CheckAllFinished(run, static_cast<int>(deals.size()), paid_at_fault);
    kafka.BrokerUp(victim);
    CheckPaidExactlyOnce(deals, kAmount);
    CheckNoDeadLetters();
}

TEST_CASE("Kafka: every broker stopped for 10 s mid-saga and started again; every saga is paid once",
          "[e2e][kafka][chaos]") {
    testing::BrokerControl kafka;
    const int brokers = kafka.BrokerCount();
    const auto deals = Deals(8);

    SagaRun run(deals, 400ms);
    REQUIRE(testing::WaitUntil([&] { return run.funded() >= 1; }, 60s, 10ms));
    const int paid_at_fault = run.paid();
    for (int id = 1; id <= brokers; ++id) kafka.BrokerDown(id);
    std::this_thread::sleep_for(10s);
    // All at once: a node waits for a quorum of controllers before it serves.
    std::vector<std::thread> starts;
    std::vector<std::string> start_errors(static_cast<std::size_t>(brokers));
    for (int id = 1; id <= brokers; ++id) {
        starts.emplace_back([&, id] {
            try {
                kafka.BrokerUp(id);
            } catch (const std::exception& e) {
                start_errors[static_cast<std::size_t>(id - 1)] = e.what();
            }
        });
    }
    for (auto& t : starts) t.join();
    for (const auto& e : start_errors) {
        INFO(e);
        REQUIRE(e.empty());
    }

    CheckAllFinished(run, static_cast<int>(deals.size()), paid_at_fault);
    CheckPaidExactlyOnce(deals, kAmount);
    CheckNoDeadLetters();
}
