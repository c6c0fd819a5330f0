// The escrow side of the sagas, driven through the service's EventRouter as the consumer would.
#include <catch2/catch.hpp>

#include <latch>
#include <thread>

#include "fixture.hpp"

using namespace marketplace;
using namespace marketplace::payments;
using namespace marketplace::payments::test;

namespace {

struct Milestone {
    std::string id = core::NewUuidV7();
    std::string contract_id = core::NewUuidV7();
    User client = NewUser("client");
    std::int64_t amount = 0;
};

contracts::v1::MilestoneFundingRequested FundingRequest(const Milestone& m, int attempt = 1) {
    contracts::v1::MilestoneFundingRequested e;
    e.set_milestone_id(m.id);
    e.set_contract_id(m.contract_id);
    e.set_client_id(m.client.id);
    *e.mutable_amount() = Money(m.amount);
    e.set_attempt(attempt);
    return e;
}

contracts::v1::MilestoneAccepted Accepted(const Milestone& m, const std::vector<std::pair<User, int>>& payees) {
    return AcceptedOf(m.id, m.contract_id, m.client.id, m.amount, payees);
}

contracts::v1::MilestoneCancelled Cancelled(const Milestone& m, bool refund) {
    contracts::v1::MilestoneCancelled e;
    e.set_milestone_id(m.id);
    e.set_contract_id(m.contract_id);
    e.set_client_id(m.client.id);
    e.set_refund(refund);
    if (refund) *e.mutable_amount() = Money(m.amount);
    return e;
}

/// A milestone of `amount` whose client deposited `deposit` and whose escrow is funded.
Milestone FundedMilestone(std::int64_t amount, std::int64_t deposit) {
    Milestone m;
    m.amount = amount;
    FundWallet(m.client, deposit);
    Deliver(FundingRequest(m), m.id);
    REQUIRE(PublishedOf<payments::v1::EscrowFunded>(m.id).size() == 1);
    return m;
}

std::int64_t Escrowed(const Milestone& m) { return Balance("milestone_escrow", m.id); }

std::int64_t Transfers(const std::string& operation_id) {
    return QueryInt("SELECT count(*) FROM transfers WHERE operation_id = '" + operation_id + "'");
}

std::int64_t FeeIncome() {
    return QueryInt("SELECT COALESCE(sum(balance), 0) FROM accounts WHERE kind = 'platform_fees'");
}

}  // namespace

TEST_CASE("Escrow: funding moves the amount from the client's wallet to the milestone's escrow", "[payments][pg]") {
    Milestone m;
    m.amount = 150'000;
    FundWallet(m.client, 200'000);
    Deliver(FundingRequest(m, 1), m.id);

    CHECK(Available(m.client) == 50'000);
    CHECK(Escrowed(m) == 150'000);
    const auto funded = PublishedOf<payments::v1::EscrowFunded>(m.id);
    REQUIRE(funded.size() == 1);
    CHECK(funded[0].milestone_id() == m.id);
    CHECK(funded[0].amount().minor_units() == 150'000);
    CHECK(funded[0].amount().currency() == "EUR");
    CHECK(funded[0].attempt() == 1);
    CHECK(PublishedOf<payments::v1::EscrowFundingFailed>(m.id).empty());

    v1::GetEscrowRequest request;
    request.set_milestone_id(m.id);
    v1::GetEscrowResponse response;
    REQUIRE(Call(&v1::PaymentsService::Stub::GetEscrow, m.client, request, &response, "").ok());
    CHECK(response.escrow().status() == v1::ESCROW_STATUS_FUNDED);
    CHECK(response.escrow().held().minor_units() == 150'000);
    // Someone else cannot see it.
    CHECK(Call(&v1::PaymentsService::Stub::GetEscrow, NewUser("client"), request, &response, "").code() ==
          grpc::StatusCode::NOT_FOUND);
    RequireHealthyLedger();
}

TEST_CASE("Escrow: insufficient funds moves nothing and names available and needed", "[payments][pg]") {
    Milestone m;
    m.amount = 15'000;
    FundWallet(m.client, 1'000);
    const auto transfers_before = QueryInt("SELECT count(*) FROM transfers");
    Deliver(FundingRequest(m, 1), m.id);

    CHECK(Available(m.client) == 1'000);
    CHECK(Escrowed(m) == 0);
    CHECK(QueryInt("SELECT count(*) FROM transfers") == transfers_before);
    CHECK(PublishedOf<payments::v1::EscrowFunded>(m.id).empty());
    const auto failed = PublishedOf<payments::v1::EscrowFundingFailed>(m.id);
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].reason() == "insufficient funds: available 10.00 EUR, needed 150.00 EUR");
    CHECK(failed[0].attempt() == 1);

    // A client without any wallet gets the same kind of answer.
    Milestone poor;
    poor.amount = 500;
    Deliver(FundingRequest(poor, 1), poor.id);
    const auto poor_failed = PublishedOf<payments::v1::EscrowFundingFailed>(poor.id);
    REQUIRE(poor_failed.size() == 1);
    CHECK(poor_failed[0].reason() == "insufficient funds: available 0.00 EUR, needed 5.00 EUR");

    // After a deposit, the next attempt succeeds.
    FundWallet(m.client, 20'000);
    Deliver(FundingRequest(m, 2), m.id);
    CHECK(Escrowed(m) == 15'000);
    CHECK(Available(m.client) == 6'000);
    const auto funded = PublishedOf<payments::v1::EscrowFunded>(m.id);
    REQUIRE(funded.size() == 1);
    CHECK(funded[0].attempt() == 2);
    RequireHealthyLedger();
}

TEST_CASE("Escrow: a funding request replayed or repeated moves the money once", "[payments][pg]") {
    Milestone m;
    m.amount = 10'000;
    FundWallet(m.client, 30'000);
    const auto request = FundingRequest(m, 1);
    const std::string event_id = core::NewUuidV4();
    Deliver(request, m.id, event_id);
    Deliver(request, m.id, event_id);     // the same event redelivered
    Deliver(request, m.id);               // the same request republished under a new event id
    Deliver(FundingRequest(m, 2), m.id);  // another attempt for a funded escrow

    CHECK(Escrowed(m) == 10'000);
    CHECK(Available(m.client) == 20'000);
    CHECK(Transfers("escrow_fund:" + m.id) == 1);
    const auto funded = PublishedOf<payments::v1::EscrowFunded>(m.id);
    REQUIRE(funded.size() == 4);  // every request is answered, always "funded"
    CHECK(funded[3].attempt() == 2);
    CHECK(funded[3].amount().minor_units() == 10'000);
    CHECK(PublishedOf<payments::v1::EscrowFundingFailed>(m.id).empty());
    RequireHealthyLedger();
}

TEST_CASE("Escrow: a failed attempt replayed after a deposit gets the same failure", "[payments][pg]") {
    Milestone m;
    m.amount = 5'000;
    Deliver(FundingRequest(m, 1), m.id);
    FundWallet(m.client, 5'000);
    Deliver(FundingRequest(m, 1), m.id);  // attempt 1 again: its answer stands
    CHECK(Escrowed(m) == 0);
    CHECK(PublishedOf<payments::v1::EscrowFundingFailed>(m.id).size() == 2);
    Deliver(FundingRequest(m, 2), m.id);
    CHECK(Escrowed(m) == 5'000);
    CHECK(Available(m.client) == 0);
    RequireHealthyLedger();
}

TEST_CASE("Escrow: an invalid amount is answered with a failure naming the field", "[payments][pg]") {
    Milestone m;
    m.amount = -5;
    Deliver(FundingRequest(m, 1), m.id);
    auto failed = PublishedOf<payments::v1::EscrowFundingFailed>(m.id);
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].reason() == "amount.minor_units: must be > 0");

    auto unknown = FundingRequest(m, 2);
    *unknown.mutable_amount() = Money(100, "XYZ");
    Deliver(unknown, m.id);
    failed = PublishedOf<payments::v1::EscrowFundingFailed>(m.id);
    REQUIRE(failed.size() == 2);
    CHECK(failed[1].reason().find("amount.currency") == 0);
    RequireHealthyLedger();
}

TEST_CASE("Escrow: release pays the platform fee and the freelancer in one operation", "[payments][pg]") {
    const auto m = FundedMilestone(150'000, 150'000);
    const User freelancer = NewUser("freelancer");
    const auto fees_before = FeeIncome();
    Deliver(Accepted(m, {{freelancer, 10000}}), m.id);

    CHECK(Escrowed(m) == 0);
    CHECK(Available(freelancer) == 135'000);
    CHECK(FeeIncome() - fees_before == 15'000);
    CHECK(Transfers("escrow_release:" + m.id) == 2);
    const auto released = PublishedOf<payments::v1::EscrowReleased>(m.id);
    REQUIRE(released.size() == 1);
    CHECK(released[0].amount().minor_units() == 150'000);
    REQUIRE(released[0].legs_size() == 2);
    CHECK(released[0].legs(0).kind() == "platform_fee");
    CHECK(released[0].legs(0).user_id().empty());
    CHECK(released[0].legs(0).amount().minor_units() == 15'000);
    CHECK(released[0].legs(1).kind() == "payee");
    CHECK(released[0].legs(1).user_id() == freelancer.id);
    CHECK(released[0].legs(1).amount().minor_units() == 135'000);
    RequireHealthyLedger();
}

TEST_CASE("Escrow: release with a three-way payee split sums exactly to the escrow", "[payments][pg]") {
    const auto m = FundedMilestone(100'01, 100'01);
    const User a = NewUser("freelancer"), b = NewUser("freelancer"), c = NewUser("freelancer");
    const auto fees_before = FeeIncome();
    Deliver(Accepted(m, {{a, 5000}, {b, 3000}, {c, 2000}}), m.id);

    // 100.01 -> fee 10.00; 90.01 split 50/30/20 = 45.01 / 27.00 / 18.00.
    CHECK(FeeIncome() - fees_before == 10'00);
    CHECK(Available(a) == 45'01);
    CHECK(Available(b) == 27'00);
    CHECK(Available(c) == 18'00);
    CHECK(Escrowed(m) == 0);
    const auto released = PublishedOf<payments::v1::EscrowReleased>(m.id);
    REQUIRE(released.size() == 1);
    std::int64_t sum = 0;
    for (const auto& leg : released[0].legs()) sum += leg.amount().minor_units();
    CHECK(sum == 100'01);
    CHECK(released[0].legs_size() == 4);
    RequireHealthyLedger();
}

TEST_CASE("Escrow: a replayed accept releases nothing twice and answers again", "[payments][pg]") {
    const auto m = FundedMilestone(20'000, 20'000);
    const User freelancer = NewUser("freelancer");
    const auto accepted = Accepted(m, {{freelancer, 10000}});
    Deliver(accepted, m.id);
    Deliver(accepted, m.id);
    CHECK(Available(freelancer) == 18'000);
    CHECK(Transfers("escrow_release:" + m.id) == 2);
    const auto released = PublishedOf<payments::v1::EscrowReleased>(m.id);
    REQUIRE(released.size() == 2);
    CHECK(released[1].SerializeAsString() == released[0].SerializeAsString());
    // A cancel after the release refunds nothing.
    CHECK_THROWS(Deliver(Cancelled(m, true), m.id));
    CHECK(Available(m.client) == 0);
    RequireHealthyLedger();
}

TEST_CASE("Escrow: two concurrent accepts release the escrow exactly once", "[payments][pg]") {
    for (int round = 0; round < 5; ++round) {
        const auto m = FundedMilestone(50'000, 50'000);
        const User freelancer = NewUser("freelancer");
        const auto accepted = Accepted(m, {{freelancer, 10000}});
        std::latch start(2);
        std::vector<std::thread> threads;
        std::atomic<int> errors{0};
        for (int t = 0; t < 2; ++t) {
            threads.emplace_back([&] {
                start.arrive_and_wait();
                try {
                    Deliver(accepted, m.id);
                } catch (...) {
                    ++errors;
                }
            });
        }
        for (auto& t : threads) t.join();
        CHECK(errors == 0);
        CHECK(Available(freelancer) == 45'000);
        CHECK(Escrowed(m) == 0);
        CHECK(Transfers("escrow_release:" + m.id) == 2);
        CHECK(QueryInt("SELECT count(*) FROM operations WHERE reference = '" + m.id +
                       "' AND kind = 'escrow_release'") == 1);
    }
    RequireHealthyLedger();
}

TEST_CASE("Escrow: cancelling a funded milestone refunds the client once", "[payments][pg]") {
    const auto m = FundedMilestone(7'500, 10'000);
    CHECK(Available(m.client) == 2'500);
    Deliver(Cancelled(m, true), m.id);
    Deliver(Cancelled(m, true), m.id);
    CHECK(Available(m.client) == 10'000);
    CHECK(Escrowed(m) == 0);
    CHECK(Transfers("escrow_refund:" + m.id) == 1);
    const auto refunded = PublishedOf<payments::v1::EscrowRefunded>(m.id);
    REQUIRE(refunded.size() == 2);
    CHECK(refunded[0].amount().minor_units() == 7'500);
    // Neither a release nor a new funding of a refunded escrow moves money.
    CHECK_THROWS(Deliver(Accepted(m, {{NewUser("freelancer"), 10000}}), m.id));
    Deliver(FundingRequest(m, 9), m.id);
    CHECK(Escrowed(m) == 0);
    CHECK(Available(m.client) == 10'000);
    const auto failed = PublishedOf<payments::v1::EscrowFundingFailed>(m.id);
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].reason() == "the milestone's escrow was already refunded");

    // Cancelling an unfunded milestone does nothing.
    Milestone unfunded;
    unfunded.amount = 100;
    Deliver(Cancelled(unfunded, false), unfunded.id);
    CHECK(Published(unfunded.id).empty());
    RequireHealthyLedger();
}

TEST_CASE("Escrow: an accept that does not match the escrow is refused and moves nothing", "[payments][pg]") {
    const auto m = FundedMilestone(9'000, 9'000);
    const User freelancer = NewUser("freelancer");
    auto wrong_amount = Accepted(m, {{freelancer, 10000}});
    *wrong_amount.mutable_amount() = Money(9'001);
    CHECK_THROWS(Deliver(wrong_amount, m.id));
    CHECK_THROWS(Deliver(Accepted(m, {{freelancer, 6000}}), m.id));  // shares do not sum to 10000
    Milestone never_funded;
    never_funded.amount = 100;
    CHECK_THROWS(Deliver(Accepted(never_funded, {{freelancer, 10000}}), never_funded.id));
    CHECK(Escrowed(m) == 9'000);
    CHECK(Available(freelancer) == 0);
    RequireHealthyLedger();
}

TEST_CASE("Escrow: releases spread the platform fee over its shard accounts", "[payments][pg]") {
    const User freelancer = NewUser("freelancer");
    for (int i = 0; i < 12; ++i) {
        const auto m = FundedMilestone(1'000, 1'000);
        Deliver(Accepted(m, {{freelancer, 10000}}), m.id);
    }
    CHECK(Available(freelancer) == 12 * 900);
    CHECK(QueryInt("SELECT count(*) FROM accounts WHERE kind = 'platform_fees' AND currency = 'EUR'") > 1);
    const auto audit = Audit();
    bool eur_fees = false;
    for (const auto& fee : audit.platform_fees()) {
        if (fee.currency() == "EUR") {
            eur_fees = true;
            CHECK(fee.minor_units() == FeeIncome());
        }
    }
    CHECK(eur_fees);
    RequireHealthyLedger();
}
