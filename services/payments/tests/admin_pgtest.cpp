// The ledger's admin tools: the audit and batched transfers; and the ledger's own guarantees.
#include <catch2/catch.hpp>

#include <random>

#include <pqxx/pqxx>

#include "fixture.hpp"
#include "storage/ledger_store.hpp"

using namespace marketplace;
using namespace marketplace::payments;
using namespace marketplace::payments::test;

namespace {

v1::TransferInstruction Transfer(const User& from, const User& to, std::int64_t minor_units,
                                 const std::string& currency = "EUR") {
    v1::TransferInstruction t;
    t.set_from_user_id(from.id);
    t.set_to_user_id(to.id);
    *t.mutable_amount() = Money(minor_units, currency);
    return t;
}

CallResult CreateTransfers(const v1::CreateTransfersRequest& request, v1::CreateTransfersResponse* response = nullptr,
                           const User& who = NewUser("admin")) {
    v1::CreateTransfersResponse ignored;
    return Call(&v1::PaymentsService::Stub::CreateTransfers, who, request, response ? response : &ignored);
}

std::int64_t TransferCount() { return QueryInt("SELECT count(*) FROM transfers"); }

}  // namespace

TEST_CASE("Audit: a healthy ledger reports no broken invariant", "[payments][pg]") {
    const User client = NewUser("client");
    FundWallet(client, 10'00);
    const auto report = Audit();
    CHECK(report.healthy());
    CHECK(report.violations_size() == 0);
    CHECK(report.accounts_checked() >= 2);
    CHECK(report.transfers_checked() >= 1);
    // Only admins run it.
    v1::AuditLedgerResponse response;
    CHECK(Call(&v1::PaymentsService::Stub::AuditLedger, client, v1::AuditLedgerRequest(), &response, "").code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(Call(&v1::PaymentsService::Stub::AuditLedger, User{}, v1::AuditLedgerRequest(), &response, "").code() ==
          grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("Audit: a balance tampered with in SQL is reported", "[payments][pg]") {
    const User client = NewUser("client");
    FundWallet(client, 10'00);
    const std::string wallet = "kind = 'wallet_available' AND owner = '" + client.id + "'";
    const auto account_id = QueryInt("SELECT id FROM accounts WHERE " + wallet);

    ExecSql("UPDATE accounts SET balance = balance + 1 WHERE " + wallet);
    auto report = Audit();
    CHECK_FALSE(report.healthy());
    bool currency_sum = false, recomputed = false;
    for (const auto& v : report.violations()) {
        if (v.invariant() == v1::LEDGER_INVARIANT_CURRENCY_BALANCED && v.currency() == "EUR") currency_sum = true;
        if (v.invariant() == v1::LEDGER_INVARIANT_BALANCE_MATCHES_TRANSFERS && v.account_id() == account_id) {
            recomputed = true;
            CHECK(v.account_owner() == client.id);
            CHECK(v.detail() == "stored balance 1001 but the transfers give 1000");
        }
    }
    CHECK(currency_sum);
    CHECK(recomputed);

    // A guarded account forced below zero (the CHECK constraint must be lifted to do it).
    ExecSql("ALTER TABLE accounts DROP CONSTRAINT accounts_guarded_not_negative");
    ExecSql("UPDATE accounts SET balance = -5 WHERE " + wallet);
    report = Audit();
    bool negative = false;
    for (const auto& v : report.violations()) {
        if (v.invariant() == v1::LEDGER_INVARIANT_GUARDED_NOT_NEGATIVE && v.account_id() == account_id) negative = true;
    }
    CHECK(negative);

    // Undo the tampering: the ledger is healthy again.
    ExecSql("UPDATE accounts SET balance = 1000 WHERE " + wallet);
    ExecSql("ALTER TABLE accounts ADD CONSTRAINT accounts_guarded_not_negative CHECK (NOT guarded OR balance >= 0)");
    RequireHealthyLedger();
}

TEST_CASE("Ledger: transfers cannot be edited or deleted", "[payments][pg]") {
    const User client = NewUser("client");
    FundWallet(client, 5'00);
    CHECK_THROWS(ExecSql("UPDATE transfers SET amount = amount + 1 WHERE id = (SELECT max(id) FROM transfers)"));
    CHECK_THROWS(ExecSql("DELETE FROM transfers WHERE id = (SELECT max(id) FROM transfers)"));
    const std::string wallet = "kind = 'wallet_available' AND owner = '" + client.id + "'";
    CHECK_THROWS(ExecSql("UPDATE accounts SET balance = -1 WHERE " + wallet));
    CHECK_THROWS(ExecSql("UPDATE accounts SET currency = 'USD' WHERE " + wallet));
    CHECK_THROWS(ExecSql("DELETE FROM accounts WHERE " + wallet));
    CHECK_THROWS(ExecSql("DELETE FROM operations WHERE reference = 'nothing'"));
    // A transfer in another currency than its accounts', or of no operation, is refused by the database too.
    const auto account = QueryInt("SELECT id FROM accounts WHERE " + wallet);
    const auto other = QueryInt("SELECT min(id) FROM accounts WHERE kind = 'provider_clearing' AND currency = 'EUR'");
    const auto op =
        "(SELECT max(operation_id) FROM transfers WHERE credit_account_id = " + std::to_string(account) + ")";
    const auto insert = [&](const std::string& operation, const std::string& currency) {
        ExecSql(
            "INSERT INTO transfers (operation_id, leg, debit_account_id, credit_account_id, amount, currency, "
            "created_at) VALUES (" +
            operation + ", 99, " + std::to_string(other) + ", " + std::to_string(account) + ", 1, '" + currency +
            "', now())");
    };
    CHECK_THROWS(insert(op, "USD"));
    CHECK_THROWS(insert("'no-such-operation'", "EUR"));
    CHECK(Available(client) == 5'00);
    RequireHealthyLedger();
}

TEST_CASE("Ledger: an operation across currencies is refused and writes nothing", "[payments][pg]") {
    auto& service = Service::Get();
    const User a = NewUser("client");
    FundWallet(a, 10'00);
    const auto before = TransferCount();
    storage::LedgerStore ledger;
    auto attempt = [&](const std::string& leg_currency) {
        db::InTransaction(service.runtime().pool(), [&](pqxx::work& tx) {
            const auto eur = ledger.EnsureAccount(tx, WalletOf(a.id, "EUR"));
            const auto usd = ledger.EnsureAccount(tx, WalletOf(NewUser("client").id, "USD"));
            const std::string op = core::NewUuidV7();
            ledger.Post(tx,
                        {storage::OperationId(storage::OperationKind::kTransferBatch, op),
                         storage::OperationKind::kTransferBatch, op},
                        {Leg{eur, usd, 1'00, leg_currency}}, service.clock().Now());
        });
    };
    CHECK_THROWS_AS(attempt("EUR"), core::InvalidArgument);
    CHECK_THROWS_AS(attempt("USD"), core::InvalidArgument);
    CHECK(TransferCount() == before);
    CHECK(Available(a) == 10'00);
    RequireHealthyLedger();
}

TEST_CASE("CreateTransfers: a batch posts every transfer and nets each wallet once", "[payments][pg]") {
    const User a = NewUser("client"), b = NewUser("freelancer"), c = NewUser("freelancer");
    FundWallet(a, 100'00);
    v1::CreateTransfersRequest request;
    *request.add_transfers() = Transfer(a, b, 60'00);
    *request.add_transfers() = Transfer(b, c, 50'00);  // b spends money received earlier in the batch
    *request.add_transfers() = Transfer(a, c, 40'00);
    *request.add_transfers() = Transfer(c, a, 5'00);
    const auto before = TransferCount();
    v1::CreateTransfersResponse response;
    const auto result = CreateTransfers(request, &response);
    REQUIRE(result.status.error_message() == "");
    CHECK(response.transfer_count() == 4);
    CHECK(response.operation_id().rfind("transfer_batch:", 0) == 0);
    CHECK(TransferCount() == before + 4);
    CHECK(Available(a) == 5'00);
    CHECK(Available(b) == 10'00);
    CHECK(Available(c) == 85'00);
    RequireHealthyLedger();
}

TEST_CASE("CreateTransfers: one overdraft anywhere rejects the whole batch, naming its index", "[payments][pg]") {
    const User a = NewUser("client"), b = NewUser("freelancer"), c = NewUser("freelancer");
    FundWallet(a, 100'00);
    v1::CreateTransfersRequest request;
    for (int i = 0; i < 10; ++i) *request.add_transfers() = Transfer(a, b, 9'00);
    *request.add_transfers() = Transfer(b, c, 95'00);  // b has 90.00 by then
    *request.add_transfers() = Transfer(a, c, 1'00);
    const auto before = TransferCount();
    const auto result = CreateTransfers(request);
    CHECK(result.code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(result.status.error_message() ==
          "transfers[10]: insufficient funds: available 90.00 EUR, needed 95.00 EUR in the wallet of user " + b.id);
    CHECK(TransferCount() == before);
    CHECK(Available(a) == 100'00);
    CHECK(Available(b) == 0);
    CHECK(Available(c) == 0);
    RequireHealthyLedger();
}

TEST_CASE("CreateTransfers: bad input is refused naming the field", "[payments][pg]") {
    const User a = NewUser("client"), b = NewUser("freelancer");
    auto field_of = [&](const v1::TransferInstruction& bad) {
        v1::CreateTransfersRequest request;
        *request.add_transfers() = Transfer(a, b, 1);
        *request.add_transfers() = bad;
        const auto result = CreateTransfers(request);
        CHECK(result.code() == grpc::StatusCode::INVALID_ARGUMENT);
        return result.field;
    };
    CHECK(field_of(Transfer(a, b, 0)) == "transfers[1].amount.minor_units");
    CHECK(field_of(Transfer(a, b, -7)) == "transfers[1].amount.minor_units");
    CHECK(field_of(Transfer(a, b, 5, "QQQ")) == "transfers[1].amount.currency");
    CHECK(field_of(Transfer(a, a, 5)) == "transfers[1].to_user_id");
    CHECK(field_of(Transfer(User{"nope", "client"}, b, 5)) == "transfers[1].from_user_id");
    auto no_amount = Transfer(a, b, 5);
    no_amount.clear_amount();
    CHECK(field_of(no_amount) == "transfers[1].amount");

    CHECK(CreateTransfers(v1::CreateTransfersRequest()).field == "transfers");
    v1::CreateTransfersRequest too_many;
    for (int i = 0; i < 8001; ++i) *too_many.add_transfers() = Transfer(a, b, 1);
    CHECK(CreateTransfers(too_many).field == "transfers");
    // Admins only.
    v1::CreateTransfersRequest one;
    *one.add_transfers() = Transfer(a, b, 1);
    CHECK(CreateTransfers(one, nullptr, a).code() == grpc::StatusCode::PERMISSION_DENIED);
}

TEST_CASE("CreateTransfers: a full batch of 8000 random transfers keeps every invariant", "[payments][pg]") {
    const auto seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    std::vector<User> users;
    for (int i = 0; i < 50; ++i) users.push_back(NewUser("client"));
    for (const auto& u : users) FundWallet(u, 1'000'000'00);
    v1::CreateTransfersRequest request;
    std::map<std::string, std::int64_t> expected;
    for (const auto& u : users) expected[u.id] = 1'000'000'00;
    for (int i = 0; i < 8000; ++i) {
        const auto& from = users[rng() % users.size()];
        const auto* to = &users[rng() % users.size()];
        if (to->id == from.id) to = &users[(static_cast<std::size_t>(to - users.data()) + 1) % users.size()];
        const std::int64_t amount = 1 + static_cast<std::int64_t>(rng() % 10'000);
        *request.add_transfers() = Transfer(from, *to, amount);
        expected[from.id] -= amount;
        expected[to->id] += amount;
    }
    const auto before = TransferCount();
    const auto started = std::chrono::steady_clock::now();
    v1::CreateTransfersResponse response;
    const auto result = CreateTransfers(request, &response);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE(result.status.error_message() == "");
    WARN("8000 transfers in one call took " << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                                            << " ms");
    CHECK(TransferCount() == before + 8000);
    for (const auto& u : users) CHECK(Available(u) == expected[u.id]);
    RequireHealthyLedger();
}

TEST_CASE("ListMilestoneLedgerLegs: a milestone's funding and release legs in posting order, for admins only",
          "[payments][pg]") {
    const std::string milestone = core::NewUuidV7();
    const User client = NewUser("client");
    const User freelancer = NewUser("freelancer");
    FundWallet(client, 2'000'00);
    contracts::v1::MilestoneFundingRequested funding;
    funding.set_milestone_id(milestone);
    funding.set_contract_id(core::NewUuidV7());
    funding.set_client_id(client.id);
    *funding.mutable_amount() = Money(1'000'00);
    funding.set_attempt(1);
    Deliver(funding, milestone);
    contracts::v1::MilestoneAccepted accepted;
    accepted.set_milestone_id(milestone);
    accepted.set_contract_id(funding.contract_id());
    accepted.set_client_id(client.id);
    *accepted.mutable_amount() = Money(1'000'00);
    auto* payee = accepted.add_payees();
    payee->set_user_id(freelancer.id);
    payee->set_share_bps(10000);
    Deliver(accepted, milestone);

    v1::ListMilestoneLedgerLegsRequest request;
    request.set_milestone_id(milestone);
    v1::ListMilestoneLedgerLegsResponse response;
    REQUIRE(Call(&v1::PaymentsService::Stub::ListMilestoneLedgerLegs, NewUser("admin"), request, &response, "").ok());
    REQUIRE(response.legs_size() == 3);
    const auto& fund = response.legs(0);
    CHECK(fund.operation_id() == "escrow_fund:" + milestone);
    CHECK(fund.operation_kind() == "escrow_fund");
    CHECK(fund.leg() == 0);
    CHECK(fund.debit_account_kind() == "wallet_available");
    CHECK(fund.debit_account_owner() == client.id);
    CHECK(fund.credit_account_kind() == "milestone_escrow");
    CHECK(fund.credit_account_owner() == milestone);
    CHECK(fund.amount().minor_units() == 1'000'00);
    CHECK(fund.amount().currency() == "EUR");
    // RFC 3339 UTC with microseconds: "2026-11-21T14:07:47.123456Z".
    CHECK(fund.created_at().size() == 27);
    CHECK(fund.created_at().back() == 'Z');
    std::int64_t released = 0;
    for (int i = 1; i < 3; ++i) {
        CHECK(response.legs(i).operation_kind() == "escrow_release");
        CHECK(response.legs(i).leg() == i - 1);
        CHECK(response.legs(i).debit_account_owner() == milestone);
        CHECK(response.legs(i).created_at() >= fund.created_at());
        released += response.legs(i).amount().minor_units();
    }
    CHECK(released == 1'000'00);
    CHECK(response.legs(2).credit_account_owner() == freelancer.id);

    // A milestone nothing moved for has no legs; a malformed id is refused, naming the field.
    request.set_milestone_id(core::NewUuidV7());
    REQUIRE(Call(&v1::PaymentsService::Stub::ListMilestoneLedgerLegs, NewUser("admin"), request, &response, "").ok());
    CHECK(response.legs_size() == 0);
    request.set_milestone_id("not-a-uuid");
    CHECK(Call(&v1::PaymentsService::Stub::ListMilestoneLedgerLegs, NewUser("admin"), request, &response, "").field ==
          "milestone_id");

    // Only admins read it: the milestone's own client neither.
    request.set_milestone_id(milestone);
    CHECK(Call(&v1::PaymentsService::Stub::ListMilestoneLedgerLegs, client, request, &response, "").code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(
        Call(&v1::PaymentsService::Stub::ListMilestoneLedgerLegs, NewUser("mediator"), request, &response, "").code() ==
        grpc::StatusCode::PERMISSION_DENIED);
    CHECK(Call(&v1::PaymentsService::Stub::ListMilestoneLedgerLegs, User{}, request, &response, "").code() ==
          grpc::StatusCode::UNAUTHENTICATED);
}
