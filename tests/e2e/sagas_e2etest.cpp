// The money path's sagas end to end, over gRPC, with every service a separate process. Each
// scenario ends with the ledger audit reporting no broken invariant.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "marketplace/testing/wait.hpp"
#include "story.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using namespace e2e;
using e2e::MoneyStack;
using e2e::Ok;
using e2e::User;
namespace av1 = marketplace::auth::v1;
namespace cv1 = marketplace::contracts::v1;
namespace jv1 = marketplace::jobs::v1;
namespace pv1 = marketplace::payments::v1;

namespace {

void RequireHealthyLedger() {
    const auto problems = e2e::LedgerViolations();
    INFO(problems);
    REQUIRE(problems.empty());
}

}  // namespace

TEST_CASE("E2E: fixed price: fund, submit, accept, paid with a 10% fee, and paid out", "[e2e]") {
    auto d = NewDeal(150000, 200000);
    FundAndSubmit(d);
    CHECK(Balance(d.client).available().minor_units() == 50000);
    CHECK(Balance(d.client).in_escrow().minor_units() == 150000);
    Ok(Accept(d.client, d.milestone), "accept");
    const auto paid = WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);
    CHECK_FALSE(paid.auto_released());
    REQUIRE(testing::WaitUntil([&] { return Balance(d.freelancer).available().minor_units() == 135000; }, 10s));
    CHECK(Balance(d.client).in_escrow().minor_units() == 0);

    pv1::CreatePayoutRequest payout;
    *payout.mutable_amount() = Eur(100000);
    pv1::CreatePayoutResponse out;
    Ok(S().payments().CreatePayout(MoneyStack::Context(d.freelancer, MoneyStack::NewKey()).get(), payout, &out),
       "payout");
    REQUIRE(testing::WaitUntil(
        [&] {
            const auto b = Balance(d.freelancer);
            return b.available().minor_units() == 35000 && b.pending_payouts().minor_units() == 0;
        },
        20s, 50ms));
    RequireHealthyLedger();
}

TEST_CASE("E2E: funding with insufficient funds leaves the milestone funding_required with the reason", "[e2e]") {
    auto d = NewDeal(150000, 10000);
    Ok(Fund(d.client, d.milestone, MoneyStack::NewKey()), "fund");
    const bool failed = testing::WaitUntil(
        [&] {
            const auto m = Milestone(d.client, d.milestone);
            return m.state() == cv1::MILESTONE_STATE_FUNDING_REQUIRED && !m.funding_failure_reason().empty();
        },
        30s, 50ms);
    REQUIRE(failed);
    const auto m = Milestone(d.client, d.milestone);
    CHECK_THAT(m.funding_failure_reason(), Catch::Contains("insufficient funds"));
    CHECK(Balance(d.client).available().minor_units() == 10000);
    CHECK(Balance(d.client).in_escrow().minor_units() == 0);
    RequireHealthyLedger();
}

TEST_CASE("E2E: funding twice with one idempotency key moves money once", "[e2e]") {
    auto d = NewDeal(60000, 100000);
    const auto key = MoneyStack::NewKey();
    Ok(Fund(d.client, d.milestone, key), "fund");
    Ok(Fund(d.client, d.milestone, key), "fund again with the same key");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_FUNDED);
    std::this_thread::sleep_for(500ms);  // a second movement would show by now
    CHECK(Balance(d.client).available().minor_units() == 40000);
    CHECK(Balance(d.client).in_escrow().minor_units() == 60000);
    RequireHealthyLedger();
}

TEST_CASE("E2E: submit, changes requested, submit again, accept, paid", "[e2e]") {
    auto d = NewDeal(80000, 80000);
    FundAndSubmit(d);
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_SUBMITTED);
    cv1::RequestChangesRequest req;
    req.set_milestone_id(d.milestone);
    req.set_feedback("The billing page rejects valid cards.");
    cv1::RequestChangesResponse resp;
    Ok(S().contracts().RequestChanges(MoneyStack::Context(d.client, MoneyStack::NewKey()).get(), req, &resp),
       "request changes");
    const auto back = WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_CHANGES_REQUESTED);
    CHECK(back.change_request_feedback() == "The billing page rejects valid cards.");
    Ok(Submit(d.freelancer, d.milestone), "submit again");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_SUBMITTED);
    Ok(Accept(d.client, d.milestone), "accept");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);
    REQUIRE(testing::WaitUntil([&] { return Balance(d.freelancer).available().minor_units() == 72000; }, 10s));
    RequireHealthyLedger();
}

TEST_CASE("E2E: cancelling a funded milestone refunds the client", "[e2e]") {
    auto d = NewDeal(70000, 70000);
    Ok(Fund(d.client, d.milestone, MoneyStack::NewKey()), "fund");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_FUNDED);
    CHECK(Balance(d.client).available().minor_units() == 0);
    cv1::CancelMilestoneRequest req;
    req.set_milestone_id(d.milestone);
    cv1::CancelMilestoneResponse resp;
    Ok(S().contracts().CancelMilestone(MoneyStack::Context(d.client, MoneyStack::NewKey()).get(), req, &resp),
       "cancel");
    const bool refunded = testing::WaitUntil(
        [&] {
            const auto m = Milestone(d.client, d.milestone);
            return (m.state() == cv1::MILESTONE_STATE_CANCELLED || m.state() == cv1::MILESTONE_STATE_REFUNDED) &&
                   m.refunded();
        },
        30s, 50ms);
    REQUIRE(refunded);
    REQUIRE(testing::WaitUntil([&] { return Balance(d.client).available().minor_units() == 70000; }, 10s));
    CHECK(Balance(d.client).in_escrow().minor_units() == 0);
    RequireHealthyLedger();
}

TEST_CASE("E2E: two accepts racing pay exactly once", "[e2e]") {
    auto d = NewDeal(50000, 50000);
    FundAndSubmit(d);
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_SUBMITTED);
    std::atomic<int> ok{0};
    std::vector<std::thread> racers;
    for (int i = 0; i < 4; ++i) {
        racers.emplace_back([&] {
            if (Accept(d.client, d.milestone).ok()) ++ok;
        });
    }
    for (auto& t : racers) t.join();
    CHECK(ok.load() >= 1);
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);
    std::this_thread::sleep_for(500ms);
    CHECK(Balance(d.freelancer).available().minor_units() == 45000);
    RequireHealthyLedger();
}

TEST_CASE("E2E: the client's silence past the deadline releases the escrow, and an accept racing it pays once",
          "[e2e]") {
    auto silent = NewDeal(40000, 40000);
    auto racing = NewDeal(30000, 30000);
    FundAndSubmit(silent);
    FundAndSubmit(racing);
    WaitState(silent.client, silent.milestone, cv1::MILESTONE_STATE_SUBMITTED);
    WaitState(racing.client, racing.milestone, cv1::MILESTONE_STATE_SUBMITTED);

    S().AdvanceClock(std::chrono::hours(24 * 15));  // past the 14-day auto-release
    for (User* u : {&silent.client, &silent.freelancer, &racing.client, &racing.freelancer}) S().Relogin(*u);
    const auto accepted = Accept(racing.client, racing.milestone);  // races the timer
    INFO("accept racing the timer: " << accepted.error_code() << " " << accepted.error_message());
    CHECK((accepted.ok() || accepted.error_code() == grpc::StatusCode::FAILED_PRECONDITION));

    const auto paid = WaitState(silent.client, silent.milestone, cv1::MILESTONE_STATE_PAID);
    CHECK(paid.auto_released());
    WaitState(racing.client, racing.milestone, cv1::MILESTONE_STATE_PAID);
    std::this_thread::sleep_for(500ms);
    CHECK(Balance(silent.freelancer).available().minor_units() == 36000);
    CHECK(Balance(racing.freelancer).available().minor_units() == 27000);
    RequireHealthyLedger();
}

TEST_CASE("E2E: bad input is refused naming the field, and changes nothing", "[e2e]") {
    auto d = NewDeal(20000, 20000);
    const auto before = Balance(d.client);
    auto field_of = [](const grpc::Status& s) { return s.error_message(); };

    pv1::CreateDepositRequest deposit;
    for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-500}}) {
        *deposit.mutable_amount() = Eur(bad);
        pv1::CreateDepositResponse r;
        const auto s =
            S().payments().CreateDeposit(MoneyStack::Context(d.client, MoneyStack::NewKey()).get(), deposit, &r);
        CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK_THAT(field_of(s), Catch::Contains("amount"));
    }
    deposit.mutable_amount()->set_minor_units(1000);
    deposit.mutable_amount()->set_currency("XYZ");
    pv1::CreateDepositResponse r;
    auto s = S().payments().CreateDeposit(MoneyStack::Context(d.client, MoneyStack::NewKey()).get(), deposit, &r);
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(field_of(s), Catch::Contains("currency"));

    const auto job_id = PostJob(d.client, "Another job");
    auto plan = Plan(job_id, {1000, 2000});
    plan.mutable_total()->set_minor_units(9999);  // does not match the milestones
    jv1::SubmitProposalResponse p;
    s = S().jobs().SubmitProposal(MoneyStack::Context(d.freelancer, MoneyStack::NewKey()).get(), plan, &p);
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(field_of(s), Catch::Contains("total"));

    plan = Plan(job_id, {INT64_MAX, 1});  // the sum overflows int64
    s = S().jobs().SubmitProposal(MoneyStack::Context(d.freelancer, MoneyStack::NewKey()).get(), plan, &p);
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);

    plan = Plan(job_id, {1000});
    plan.set_cover_letter(std::string(100000, 'x'));
    s = S().jobs().SubmitProposal(MoneyStack::Context(d.freelancer, MoneyStack::NewKey()).get(), plan, &p);
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(field_of(s), Catch::Contains("cover_letter"));

    s = Fund(d.client, "not-a-uuid", MoneyStack::NewKey());
    CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(field_of(s), Catch::Contains("milestone_id"));

    CHECK(Balance(d.client).available().minor_units() == before.available().minor_units());
    CHECK(Milestone(d.client, d.milestone).state() == cv1::MILESTONE_STATE_FUNDING_REQUIRED);
    RequireHealthyLedger();
}

TEST_CASE("E2E: another user's contract and milestone are out of reach", "[e2e]") {
    auto d = NewDeal(20000, 20000);
    const auto stranger = S().Register(av1::ROLE_CLIENT, "stranger");
    auto denied = [](const grpc::Status& s) {
        return s.error_code() == grpc::StatusCode::PERMISSION_DENIED || s.error_code() == grpc::StatusCode::NOT_FOUND;
    };
    cv1::GetContractRequest get;
    get.set_contract_id(d.contract.contract_id());
    cv1::GetContractResponse contract;
    CHECK(denied(S().contracts().GetContract(MoneyStack::Context(stranger).get(), get, &contract)));
    cv1::GetMilestoneRequest gm;
    gm.set_milestone_id(d.milestone);
    cv1::GetMilestoneResponse m;
    CHECK(denied(S().contracts().GetMilestone(MoneyStack::Context(stranger).get(), gm, &m)));
    CHECK(denied(Fund(stranger, d.milestone, MoneyStack::NewKey())));
    CHECK(denied(Fund(d.freelancer, d.milestone, MoneyStack::NewKey())));  // only the client funds
    pv1::GetEscrowRequest ge;
    ge.set_milestone_id(d.milestone);
    pv1::GetEscrowResponse escrow;
    CHECK(denied(S().payments().GetEscrow(MoneyStack::Context(stranger).get(), ge, &escrow)));
    pv1::AuditLedgerRequest audit;
    pv1::AuditLedgerResponse audited;
    CHECK(S().payments().AuditLedger(MoneyStack::Context(d.client).get(), audit, &audited).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(S().contracts().GetContract(MoneyStack::Context(User{}).get(), get, &contract).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
    RequireHealthyLedger();
}
