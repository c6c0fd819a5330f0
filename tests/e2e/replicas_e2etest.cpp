// Two replicas of contracts and of payments on one database each, as operators run them, and one
// replica of each killed (SIGKILL: no drain, no relay flush, no offset commit) while sagas run. The
// sagas must all finish, and every effect must happen exactly once.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "marketplace/db/pool.hpp"
#include "marketplace/testing/wait.hpp"
#include "story.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using namespace e2e;
namespace cv1 = marketplace::contracts::v1;
namespace pv1 = marketplace::payments::v1;

namespace {

bool Transient(const grpc::Status& s) {
    return s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
           s.error_code() == grpc::StatusCode::CANCELLED || s.error_code() == grpc::StatusCode::ABORTED;
}

// Retries a command with the same idempotency key while the replica it reached is going away, as a
// client library would; the key makes a retry of a command that did commit return its first answer.
void Command(const std::string& what, const std::function<grpc::Status()>& call) {
    grpc::Status last;
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < until) {
        last = call();
        if (last.ok()) return;
        if (!Transient(last)) break;
        std::this_thread::sleep_for(100ms);
    }
    throw std::runtime_error(what + ": " + std::to_string(last.error_code()) + " " + last.error_message() + "\n" +
                             S().Logs());
}

// The milestone's state, tolerating a replica that has just died.
void AwaitState(const User& user, const std::string& id, cv1::MilestoneState state) {
    cv1::MilestoneState seen = cv1::MILESTONE_STATE_UNSPECIFIED;
    const bool reached = testing::WaitUntil(
        [&] {
            cv1::GetMilestoneRequest req;
            req.set_milestone_id(id);
            cv1::GetMilestoneResponse resp;
            const auto status = S().contracts().GetMilestone(MoneyStack::Context(user).get(), req, &resp);
            if (!status.ok()) return false;
            seen = resp.milestone().state();
            return seen == state;
        },
        90s, 50ms);
    if (!reached) {
        throw std::runtime_error("milestone " + id + " stayed " + cv1::MilestoneState_Name(seen) + ", expected " +
                                 cv1::MilestoneState_Name(state) + "\n" + S().Logs());
    }
}

std::int64_t Count(const std::string& conninfo, const std::string& sql, const std::string& param) {
    auto conn = db::Connect(conninfo);
    pqxx::nontransaction q(*conn);
    return q.exec_params(sql, param)[0][0].as<std::int64_t>();
}

}  // namespace

TEST_CASE("Replicas: one of two contracts and one of two payments killed mid-saga; every saga finishes exactly once",
          "[e2e][replicas][chaos]") {
    constexpr int kDeals = 6;
    constexpr std::int64_t kAmount = 100000;
    std::vector<Deal> deals;
    for (int i = 0; i < kDeals; ++i) deals.push_back(NewDeal(kAmount, kAmount));

    S().StartReplica("contracts");
    S().StartReplica("payments");

    std::atomic<int> funded{0}, paid{0};
    std::vector<std::string> failures(kDeals);
    std::vector<std::thread> sagas;
    for (int i = 0; i < kDeals; ++i) {
        sagas.emplace_back([&, i] {
            const Deal& d = deals[static_cast<std::size_t>(i)];
            const std::string fund_key = MoneyStack::NewKey(), submit_key = MoneyStack::NewKey(),
                              accept_key = MoneyStack::NewKey();
            try {
                // Spread the sagas over time so that the kill lands in the middle of some of them.
                std::this_thread::sleep_for(std::chrono::milliseconds(150 * i));
                Command("fund", [&] {
                    cv1::FundMilestoneRequest req;
                    req.set_milestone_id(d.milestone);
                    cv1::FundMilestoneResponse resp;
                    return S().contracts().FundMilestone(MoneyStack::Context(d.client, fund_key).get(), req, &resp);
                });
                AwaitState(d.client, d.milestone, cv1::MILESTONE_STATE_FUNDED);
                ++funded;
                Command("submit", [&] {
                    cv1::SubmitMilestoneRequest req;
                    req.set_milestone_id(d.milestone);
                    req.set_note("Done; see staging.");
                    cv1::SubmitMilestoneResponse resp;
                    return S().contracts().SubmitMilestone(MoneyStack::Context(d.freelancer, submit_key).get(), req,
                                                           &resp);
                });
                Command("accept", [&] {
                    cv1::AcceptMilestoneRequest req;
                    req.set_milestone_id(d.milestone);
                    cv1::AcceptMilestoneResponse resp;
                    return S().contracts().AcceptMilestone(MoneyStack::Context(d.client, accept_key).get(), req, &resp);
                });
                AwaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);
                ++paid;
            } catch (const std::exception& e) {
                failures[static_cast<std::size_t>(i)] = e.what();
            }
        });
    }
    // The crash: once some sagas are funded and others are still on their way.
    const bool some_funded = testing::WaitUntil([&] { return funded.load() >= 2; }, 60s, 10ms);
    S().KillFirstReplica("contracts");
    S().KillFirstReplica("payments");
    const int paid_before_kill = paid.load();
    for (auto& t : sagas) t.join();
    REQUIRE(some_funded);
    CHECK(paid_before_kill < kDeals);  // the kill did land mid-saga
    CHECK(paid.load() == kDeals);
    for (const auto& f : failures) {
        INFO(f);
        CHECK(f.empty());
    }

    // Money: each freelancer got the amount less the 10% fee, once; no client money is left in escrow.
    for (const auto& d : deals) {
        REQUIRE(testing::WaitUntil([&] { return Balance(d.freelancer).available().minor_units() == 90000; }, 30s));
        const auto client = Balance(d.client);
        CHECK(client.available().minor_units() == 0);
        CHECK(client.in_escrow().minor_units() == 0);
    }
    const auto problems = LedgerViolations();
    INFO(problems);
    CHECK(problems.empty());

    // Exactly once, in the services' own records: one funding and one release per milestone in the
    // ledger, and each saga event written once by its producer, however often it was delivered.
    const auto dbs = S().Databases();
    for (const auto& d : deals) {
        INFO(d.milestone);
        CHECK(Count(dbs.at("payments"), "SELECT count(*) FROM operations WHERE reference = $1 AND kind = 'escrow_fund'",
                    d.milestone) == 1);
        CHECK(Count(dbs.at("payments"),
                    "SELECT count(*) FROM operations WHERE reference = $1 AND kind = 'escrow_release'",
                    d.milestone) == 1);
        for (const char* type : {"EscrowFunded", "EscrowReleased"}) {
            CHECK(Count(dbs.at("payments"),
                        std::string("SELECT count(*) FROM published_events WHERE event_key = $1 AND event_type LIKE "
                                    "'%.") +
                            type + "'",
                        d.milestone) == 1);
        }
        for (const char* type : {"MilestoneFundingRequested", "MilestoneSubmitted", "MilestoneAccepted"}) {
            CHECK(Count(dbs.at("contracts"),
                        std::string("SELECT count(*) FROM published_events WHERE event_key = $1 AND event_type LIKE "
                                    "'%.") +
                            type + "'",
                        d.milestone) == 1);
        }
        // The milestone went through each state once.
        CHECK(Count(dbs.at("contracts"), "SELECT count(*) FROM milestone_transitions WHERE milestone_id = $1",
                    d.milestone) == 6);
    }
}
