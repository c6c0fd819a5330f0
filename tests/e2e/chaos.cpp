#include "chaos.hpp"

#include <catch2/catch.hpp>

#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "marketplace/db/pool.hpp"
#include "marketplace/testing/wait.hpp"

namespace marketplace::e2e {

namespace cv1 = marketplace::contracts::v1;
using namespace std::chrono_literals;

namespace {
bool Transient(const grpc::Status& s) {
    return s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
           s.error_code() == grpc::StatusCode::CANCELLED || s.error_code() == grpc::StatusCode::ABORTED;
}
}  // namespace

void RetryCommand(const std::string& what, const std::function<grpc::Status()>& call, std::chrono::seconds within) {
    grpc::Status last;
    const auto until = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < until) {
        last = call();
        if (last.ok()) return;
        if (!Transient(last)) break;
        std::this_thread::sleep_for(100ms);
    }
    throw std::runtime_error(what + ": " + std::to_string(last.error_code()) + " " + last.error_message() + "\n" +
                             S().Logs());
}

void AwaitMilestone(const User& user, const std::string& id, cv1::MilestoneState state, std::chrono::seconds within) {
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
        within, 50ms);
    if (!reached) {
        throw std::runtime_error("milestone " + id + " stayed " + cv1::MilestoneState_Name(seen) + ", expected " +
                                 cv1::MilestoneState_Name(state) + "\n" + S().Logs());
    }
}

std::int64_t CountRows(const std::string& conninfo, const std::string& sql, const std::string& param) {
    auto conn = db::Connect(conninfo);
    pqxx::nontransaction q(*conn);
    return q.exec_params(sql, param)[0][0].as<std::int64_t>();
}

std::int64_t CountRows(const std::string& conninfo, const std::string& sql) {
    auto conn = db::Connect(conninfo);
    pqxx::nontransaction q(*conn);
    return q.exec(sql)[0][0].as<std::int64_t>();
}

SagaRun::SagaRun(const std::vector<Deal>& deals, std::chrono::milliseconds spacing) : failures_(deals.size()) {
    for (std::size_t i = 0; i < deals.size(); ++i) {
        threads_.emplace_back([this, d = deals[i], i, spacing] {
            const std::string fund_key = MoneyStack::NewKey(), submit_key = MoneyStack::NewKey(),
                              accept_key = MoneyStack::NewKey();
            try {
                std::this_thread::sleep_for(spacing * static_cast<int>(i));
                RetryCommand("fund", [&] {
                    cv1::FundMilestoneRequest req;
                    req.set_milestone_id(d.milestone);
                    cv1::FundMilestoneResponse resp;
                    return S().contracts().FundMilestone(MoneyStack::Context(d.client, fund_key).get(), req, &resp);
                });
                AwaitMilestone(d.client, d.milestone, cv1::MILESTONE_STATE_FUNDED);
                ++funded_;
                RetryCommand("submit", [&] {
                    cv1::SubmitMilestoneRequest req;
                    req.set_milestone_id(d.milestone);
                    req.set_note("Done; see staging.");
                    cv1::SubmitMilestoneResponse resp;
                    return S().contracts().SubmitMilestone(MoneyStack::Context(d.freelancer, submit_key).get(), req,
                                                           &resp);
                });
                RetryCommand("accept", [&] {
                    cv1::AcceptMilestoneRequest req;
                    req.set_milestone_id(d.milestone);
                    cv1::AcceptMilestoneResponse resp;
                    return S().contracts().AcceptMilestone(MoneyStack::Context(d.client, accept_key).get(), req, &resp);
                });
                AwaitMilestone(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);
                ++paid_;
            } catch (const std::exception& e) {
                failures_[i] = e.what();
            }
        });
    }
}

SagaRun::~SagaRun() { Join(); }

std::vector<std::string> SagaRun::Join() {
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
    return failures_;
}

void CheckPaidExactlyOnce(const std::vector<Deal>& deals, std::int64_t amount) {
    // Money: each freelancer got the amount less the 10% fee, once; no client money is left in escrow.
    for (const auto& d : deals) {
        REQUIRE(testing::WaitUntil(
            [&] { return Balance(d.freelancer).available().minor_units() == amount - amount / 10; }, 30s));
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
        CHECK(CountRows(dbs.at("payments"),
                        "SELECT count(*) FROM operations WHERE reference = $1 AND kind = 'escrow_fund'",
                        d.milestone) == 1);
        CHECK(CountRows(dbs.at("payments"),
                        "SELECT count(*) FROM operations WHERE reference = $1 AND kind = 'escrow_release'",
                        d.milestone) == 1);
        for (const char* type : {"EscrowFunded", "EscrowReleased"}) {
            CHECK(CountRows(dbs.at("payments"),
                            std::string("SELECT count(*) FROM published_events WHERE event_key = $1 AND event_type "
                                        "LIKE '%.") +
                                type + "'",
                            d.milestone) == 1);
        }
        for (const char* type : {"MilestoneFundingRequested", "MilestoneSubmitted", "MilestoneAccepted"}) {
            CHECK(CountRows(dbs.at("contracts"),
                            std::string("SELECT count(*) FROM published_events WHERE event_key = $1 AND event_type "
                                        "LIKE '%.") +
                                type + "'",
                            d.milestone) == 1);
        }
        // The milestone went through each state once.
        CHECK(CountRows(dbs.at("contracts"), "SELECT count(*) FROM milestone_transitions WHERE milestone_id = $1",
                        d.milestone) == 6);
    }
}

}  // namespace marketplace::e2e
