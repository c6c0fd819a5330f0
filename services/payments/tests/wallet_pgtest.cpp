// Wallets: deposits through the sandbox's signed webhook, payouts, and balances by role.
#include <catch2/catch.hpp>

#include <latch>
#include <thread>

#include "api/sandbox_provider.hpp"
#include "domain/webhook.hpp"
#include "fixture.hpp"

using namespace marketplace;
using namespace marketplace::payments;
using namespace marketplace::payments::test;

namespace {

const std::string kSecret = "pgtest-webhook-secret-0123456789";

v1::Deposit CreateDeposit(const User& user, std::int64_t minor_units, const std::string& key = "auto") {
    v1::CreateDepositRequest request;
    *request.mutable_amount() = Money(minor_units);
    v1::CreateDepositResponse response;
    const auto result = Call(&v1::PaymentsService::Stub::CreateDeposit, user, request, &response, key);
    REQUIRE(result.status.error_message() == "");
    return response.deposit();
}

v1::Deposit GetDeposit(const User& user, const std::string& id) {
    v1::GetDepositRequest request;
    request.set_deposit_id(id);
    v1::GetDepositResponse response;
    REQUIRE(Call(&v1::PaymentsService::Stub::GetDeposit, user, request, &response, "").ok());
    return response.deposit();
}

CallResult CreatePayout(const User& user, std::int64_t minor_units, v1::Payout* payout = nullptr) {
    v1::CreatePayoutRequest request;
    *request.mutable_amount() = Money(minor_units);
    v1::CreatePayoutResponse response;
    auto result = Call(&v1::PaymentsService::Stub::CreatePayout, user, request, &response);
    if (payout != nullptr) *payout = response.payout();
    return result;
}

v1::Payout GetPayout(const User& user, const std::string& id) {
    v1::GetPayoutRequest request;
    request.set_payout_id(id);
    v1::GetPayoutResponse response;
    REQUIRE(Call(&v1::PaymentsService::Stub::GetPayout, user, request, &response, "").ok());
    return response.payout();
}

std::int64_t UnixNow() {
    return std::chrono::duration_cast<std::chrono::seconds>(Service::Get().clock().Now().time_since_epoch()).count();
}

/// A provider notification as the test writes it, signed at `signed_at` with `secret`.
CallResult SendWebhook(const ProviderEvent& event, std::int64_t signed_at, const std::string& secret = kSecret,
                       v1::WebhookOutcome* outcome = nullptr, const std::string& provider = "sandbox") {
    const std::string body = EncodeProviderEvent(event);
    v1::HandleProviderWebhookRequest request;
    request.set_body(body);
    request.set_signature(SignWebhook(secret, signed_at, body));
    request.set_provider(provider);
    v1::HandleProviderWebhookResponse response;
    auto result = Call(&v1::PaymentsService::Stub::HandleProviderWebhook, User{}, request, &response, "");
    if (outcome != nullptr) *outcome = response.outcome();
    return result;
}

ProviderEvent DepositSucceeded(const v1::Deposit& deposit, const std::string& event_id) {
    ProviderEvent e;
    e.id = event_id;
    e.type = ProviderEventType::kDepositSucceeded;
    e.reference = deposit.deposit_id();
    e.minor_units = deposit.amount().minor_units();
    e.currency = deposit.amount().currency();
    e.created = UnixNow();
    return e;
}

v1::GetBalancesResponse Balances(const User& who, const std::string& user_id = "") {
    v1::GetBalancesRequest request;
    request.set_user_id(user_id);
    v1::GetBalancesResponse response;
    REQUIRE(Call(&v1::PaymentsService::Stub::GetBalances, who, request, &response, "").ok());
    return response;
}

}  // namespace

TEST_CASE("Wallet: a deposit is credited when the sandbox's signed webhook confirms it", "[payments][pg]") {
    const User client = NewUser("client");
    const auto deposit = CreateDeposit(client, 250'00);
    CHECK(deposit.status() == v1::DEPOSIT_STATUS_PENDING);
    CHECK(deposit.user_id() == client.id);
    REQUIRE(
        Eventually([&] { return GetDeposit(client, deposit.deposit_id()).status() == v1::DEPOSIT_STATUS_COMPLETED; }));
    CHECK(Available(client) == 250'00);
    CHECK(QueryInt("SELECT count(*) FROM provider_events WHERE event_id = '" +
                   SandboxProvider::EventId("deposit", deposit.deposit_id()) + "'") == 1);
    const auto completed = PublishedOf<payments::v1::DepositCompleted>(client.id);
    REQUIRE(completed.size() == 1);
    CHECK(completed[0].deposit_id() == deposit.deposit_id());
    CHECK(completed[0].amount().minor_units() == 250'00);
    // The provider side of the ledger went negative by what came in.
    CHECK(QueryInt("SELECT sum(balance) FROM accounts WHERE kind = 'provider_clearing' AND currency = 'EUR'") < 0);
    RequireHealthyLedger();
}

TEST_CASE("Wallet: a deposit the sandbox declines credits nothing", "[payments][pg]") {
    const User client = NewUser("client");
    const auto deposit = CreateDeposit(client, 12'666);
    REQUIRE(Eventually([&] { return GetDeposit(client, deposit.deposit_id()).status() == v1::DEPOSIT_STATUS_FAILED; }));
    CHECK(GetDeposit(client, deposit.deposit_id()).failure_reason() == "card declined (sandbox)");
    CHECK(Available(client) == 0);
    CHECK(PublishedOf<payments::v1::DepositCompleted>(client.id).empty());
    RequireHealthyLedger();
}

TEST_CASE("Wallet: one idempotency key creates one deposit", "[payments][pg]") {
    const User client = NewUser("client");
    const std::string key = core::NewUuidV4();
    const auto first = CreateDeposit(client, 3'00, key);
    const auto second = CreateDeposit(client, 3'00, key);
    CHECK(first.deposit_id() == second.deposit_id());
    CHECK(QueryInt("SELECT count(*) FROM deposits WHERE user_id = '" + client.id + "'") == 1);
    // The same key for another request is refused.
    v1::CreateDepositRequest other;
    *other.mutable_amount() = Money(4'00);
    v1::CreateDepositResponse response;
    CHECK(Call(&v1::PaymentsService::Stub::CreateDeposit, client, other, &response, key).code() ==
          grpc::StatusCode::ALREADY_EXISTS);
    // And a mutating call without a key is refused too.
    const auto no_key = Call(&v1::PaymentsService::Stub::CreateDeposit, client, other, &response, "");
    CHECK(no_key.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(no_key.field == "idempotency-key");
    REQUIRE(Eventually([&] { return Available(client) == 3'00; }));
    RequireHealthyLedger();
}

TEST_CASE("Wallet: duplicated, forged and stale webhooks change nothing", "[payments][pg]") {
    const User client = NewUser("client");
    const auto deposit = CreateDeposit(client, 40'777);  // the sandbox never answers this one
    const auto event = DepositSucceeded(deposit, "evt_test_" + core::NewUuidV4());

    SECTION("forged") {
        CHECK(SendWebhook(event, UnixNow(), "not-the-secret-0123456789").code() == grpc::StatusCode::UNAUTHENTICATED);
        v1::HandleProviderWebhookRequest request;
        request.set_body(EncodeProviderEvent(event));
        request.set_signature("t=" + std::to_string(UnixNow()) + ",v1=" + std::string(64, '0'));
        request.set_provider("sandbox");
        v1::HandleProviderWebhookResponse response;
        CHECK(Call(&v1::PaymentsService::Stub::HandleProviderWebhook, User{}, request, &response, "").code() ==
              grpc::StatusCode::UNAUTHENTICATED);
        request.set_signature("garbage");
        const auto malformed = Call(&v1::PaymentsService::Stub::HandleProviderWebhook, User{}, request, &response, "");
        CHECK(malformed.code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(malformed.field == "signature");
    }
    SECTION("from a provider this service does not work with, or none, even when correctly signed") {
        const auto unknown = SendWebhook(event, UnixNow(), kSecret, nullptr, "acme");
        CHECK(unknown.code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(unknown.field == "provider");
        CHECK_THAT(unknown.status.error_message(), Catch::Contains("acme"));
        const auto missing = SendWebhook(event, UnixNow(), kSecret, nullptr, "");
        CHECK(missing.code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(missing.field == "provider");
    }
    SECTION("stale") {
        CHECK(SendWebhook(event, UnixNow() - 301).code() == grpc::StatusCode::UNAUTHENTICATED);
        CHECK(SendWebhook(event, UnixNow() + 301).code() == grpc::StatusCode::UNAUTHENTICATED);
    }
    CHECK(Available(client) == 0);
    CHECK(GetDeposit(client, deposit.deposit_id()).status() == v1::DEPOSIT_STATUS_PENDING);
    CHECK(QueryInt("SELECT count(*) FROM provider_events WHERE event_id = '" + event.id + "'") == 0);

    SECTION("duplicated") {
        v1::WebhookOutcome outcome{};
        REQUIRE(SendWebhook(event, UnixNow(), kSecret, &outcome).ok());
        CHECK(outcome == v1::WEBHOOK_OUTCOME_APPLIED);
        REQUIRE(SendWebhook(event, UnixNow(), kSecret, &outcome).ok());
        CHECK(outcome == v1::WEBHOOK_OUTCOME_DUPLICATE);
        // Another event id about the same, already completed deposit.
        REQUIRE(SendWebhook(DepositSucceeded(deposit, event.id + "-again"), UnixNow(), kSecret, &outcome).ok());
        CHECK(outcome == v1::WEBHOOK_OUTCOME_IGNORED);
        // A failure notice after the success changes nothing either.
        auto failed = DepositSucceeded(deposit, event.id + "-failed");
        failed.type = ProviderEventType::kDepositFailed;
        REQUIRE(SendWebhook(failed, UnixNow(), kSecret, &outcome).ok());
        CHECK(outcome == v1::WEBHOOK_OUTCOME_IGNORED);
        CHECK(Available(client) == 40'777);
        CHECK(GetDeposit(client, deposit.deposit_id()).status() == v1::DEPOSIT_STATUS_COMPLETED);
        CHECK(PublishedOf<payments::v1::DepositCompleted>(client.id).size() == 1);
    }
    SECTION("duplicated concurrently") {
        std::latch start(4);
        std::vector<std::thread> threads;
        std::atomic<int> applied{0}, duplicates{0};
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&] {
                start.arrive_and_wait();
                v1::WebhookOutcome outcome{};
                if (!SendWebhook(event, UnixNow(), kSecret, &outcome).ok()) return;
                if (outcome == v1::WEBHOOK_OUTCOME_APPLIED) ++applied;
                if (outcome == v1::WEBHOOK_OUTCOME_DUPLICATE) ++duplicates;
            });
        }
        for (auto& t : threads) t.join();
        CHECK(applied == 1);
        CHECK(duplicates == 3);
        CHECK(Available(client) == 40'777);
    }
    SECTION("an amount that differs from the deposit's") {
        auto wrong = event;
        wrong.minor_units += 1;
        CHECK(SendWebhook(wrong, UnixNow()).code() == grpc::StatusCode::FAILED_PRECONDITION);
        CHECK(Available(client) == 0);
        CHECK(QueryInt("SELECT count(*) FROM provider_events WHERE event_id = '" + event.id + "'") == 0);
    }
    SECTION("an unknown deposit") {
        auto unknown = event;
        unknown.reference = core::NewUuidV7();
        CHECK(SendWebhook(unknown, UnixNow()).code() == grpc::StatusCode::NOT_FOUND);
    }
    RequireHealthyLedger();
}

TEST_CASE("Wallet: a payout holds the money at once and is posted when the provider pays", "[payments][pg]") {
    const User freelancer = NewUser("freelancer");
    FundWallet(freelancer, 100'00);
    v1::Payout payout;
    REQUIRE(CreatePayout(freelancer, 60'00, &payout).ok());
    CHECK(payout.status() == v1::PAYOUT_STATUS_PENDING);
    REQUIRE(Eventually([&] { return GetPayout(freelancer, payout.payout_id()).status() == v1::PAYOUT_STATUS_POSTED; }));
    CHECK(Available(freelancer) == 40'00);
    CHECK(Balance("payout_pending", freelancer.id) == 0);
    const auto completed = PublishedOf<payments::v1::PayoutCompleted>(freelancer.id);
    REQUIRE(completed.size() == 1);
    CHECK(completed[0].outcome() == "posted");
    CHECK(completed[0].amount().minor_units() == 60'00);
    RequireHealthyLedger();
}

TEST_CASE("Wallet: a payout the provider refuses is voided back to the wallet", "[payments][pg]") {
    const User freelancer = NewUser("freelancer");
    FundWallet(freelancer, 100'00);
    v1::Payout payout;
    REQUIRE(CreatePayout(freelancer, 56'66, &payout).ok());
    REQUIRE(Eventually([&] { return GetPayout(freelancer, payout.payout_id()).status() == v1::PAYOUT_STATUS_VOIDED; }));
    CHECK(GetPayout(freelancer, payout.payout_id()).failure_reason() == "bank account closed (sandbox)");
    CHECK(Available(freelancer) == 100'00);
    CHECK(Balance("payout_pending", freelancer.id) == 0);
    const auto completed = PublishedOf<payments::v1::PayoutCompleted>(freelancer.id);
    REQUIRE(completed.size() == 1);
    CHECK(completed[0].outcome() == "voided");
    RequireHealthyLedger();
}

TEST_CASE("Wallet: a payout larger than the wallet is refused and moves nothing", "[payments][pg]") {
    const User freelancer = NewUser("freelancer");
    FundWallet(freelancer, 10'00);
    const auto refused = CreatePayout(freelancer, 10'01);
    CHECK(refused.code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(refused.status.error_message() == "insufficient funds: available 10.00 EUR, needed 10.01 EUR");
    CHECK(CreatePayout(NewUser("freelancer"), 1).code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(Available(freelancer) == 10'00);
    CHECK(QueryInt("SELECT count(*) FROM payouts WHERE user_id = '" + freelancer.id + "'") == 0);
    RequireHealthyLedger();
}

TEST_CASE("Wallet: concurrent withdrawals never take a wallet below zero", "[payments][pg]") {
    const User freelancer = NewUser("freelancer");
    FundWallet(freelancer, 1'000'00);
    constexpr int kThreads = 12;
    std::latch start(kThreads);
    std::atomic<int> accepted{0}, refused{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            start.arrive_and_wait();
            const auto result = CreatePayout(freelancer, 300'00);
            if (result.ok())
                ++accepted;
            else if (result.code() == grpc::StatusCode::FAILED_PRECONDITION)
                ++refused;
            else
                ++other;
        });
    }
    for (auto& t : threads) t.join();
    CHECK(accepted == 3);
    CHECK(refused == kThreads - 3);
    CHECK(other == 0);
    REQUIRE(Eventually([&] { return Balance("payout_pending", freelancer.id) == 0; }));
    CHECK(Available(freelancer) == 100'00);
    CHECK(QueryInt("SELECT min(balance) FROM accounts WHERE guarded") >= 0);
    RequireHealthyLedger();
}

TEST_CASE("Wallet: bad amounts are refused naming the field, and change nothing", "[payments][pg]") {
    const User client = NewUser("client");
    auto field_of = [&](const common::v1::Money* amount) {
        v1::CreateDepositRequest request;
        if (amount != nullptr) *request.mutable_amount() = *amount;
        v1::CreateDepositResponse response;
        const auto result = Call(&v1::PaymentsService::Stub::CreateDeposit, client, request, &response);
        CHECK(result.code() == grpc::StatusCode::INVALID_ARGUMENT);
        return result.field;
    };
    const auto zero = Money(0), negative = Money(-100), unknown = Money(100, "ABC"), huge = Money(INT64_MAX);
    CHECK(field_of(nullptr) == "amount");
    CHECK(field_of(&zero) == "amount.minor_units");
    CHECK(field_of(&negative) == "amount.minor_units");
    CHECK(field_of(&huge) == "amount.minor_units");
    CHECK(field_of(&unknown) == "amount.currency");
    CHECK(QueryInt("SELECT count(*) FROM deposits WHERE user_id = '" + client.id + "'") == 0);

    v1::CreatePayoutRequest payout;
    *payout.mutable_amount() = Money(-1);
    v1::CreatePayoutResponse response;
    const auto result = Call(&v1::PaymentsService::Stub::CreatePayout, client, payout, &response);
    CHECK(result.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(result.field == "amount.minor_units");
    // Without a token, nothing at all.
    CHECK(Call(&v1::PaymentsService::Stub::CreatePayout, User{}, payout, &response).code() ==
          grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("Wallet: another user's deposits and payouts are not found", "[payments][pg]") {
    const User owner = NewUser("client");
    const auto deposit = CreateDeposit(owner, 1'777);
    v1::GetDepositRequest request;
    request.set_deposit_id(deposit.deposit_id());
    v1::GetDepositResponse response;
    CHECK(Call(&v1::PaymentsService::Stub::GetDeposit, NewUser("client"), request, &response, "").code() ==
          grpc::StatusCode::NOT_FOUND);
    CHECK(Call(&v1::PaymentsService::Stub::GetDeposit, NewUser("admin"), request, &response, "").ok());
    request.set_deposit_id("not-a-uuid");
    const auto bad = Call(&v1::PaymentsService::Stub::GetDeposit, owner, request, &response, "");
    CHECK(bad.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(bad.field == "deposit_id");
}

TEST_CASE("Wallet: each role sees its own view of the balances", "[payments][pg]") {
    const User client = NewUser("client");
    const User freelancer = NewUser("freelancer");
    FundWallet(client, 500'00);
    FundWallet(freelancer, 800'00);

    // The client funds a milestone: 200.00 in escrow.
    contracts::v1::MilestoneFundingRequested funding;
    const std::string milestone = core::NewUuidV7();
    funding.set_milestone_id(milestone);
    funding.set_contract_id(core::NewUuidV7());
    funding.set_client_id(client.id);
    *funding.mutable_amount() = Money(200'00);
    funding.set_attempt(1);
    Deliver(funding, milestone);
    // The freelancer withdraws 307.77, which the sandbox leaves pending (amounts ending in 777).
    REQUIRE(CreatePayout(freelancer, 307'77).ok());

    const auto client_view = Balances(client);
    CHECK(client_view.view() == v1::BALANCE_VIEW_CLIENT);
    REQUIRE(client_view.balances_size() == 1);
    CHECK(client_view.balances(0).available().minor_units() == 300'00);
    CHECK(client_view.balances(0).in_escrow().minor_units() == 200'00);
    CHECK_FALSE(client_view.balances(0).has_pending_payouts());

    const auto freelancer_view = Balances(freelancer);
    CHECK(freelancer_view.view() == v1::BALANCE_VIEW_FREELANCER);
    REQUIRE(freelancer_view.balances_size() == 1);
    CHECK(freelancer_view.balances(0).available().minor_units() == 800'00 - 307'77);
    CHECK(freelancer_view.balances(0).pending_payouts().minor_units() == 307'77);
    CHECK_FALSE(freelancer_view.balances(0).has_in_escrow());

    const auto admin_view = Balances(NewUser("admin"), client.id);
    CHECK(admin_view.view() == v1::BALANCE_VIEW_ADMIN);
    REQUIRE(admin_view.balances_size() == 1);
    CHECK(admin_view.balances(0).in_escrow().minor_units() == 200'00);
    CHECK(admin_view.balances(0).has_pending_payouts());

    v1::GetBalancesRequest other;
    other.set_user_id(client.id);
    v1::GetBalancesResponse response;
    CHECK(Call(&v1::PaymentsService::Stub::GetBalances, freelancer, other, &response, "").code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    RequireHealthyLedger();
}
