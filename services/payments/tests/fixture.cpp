#include "fixture.hpp"

#include <catch2/catch.hpp>

#include <thread>

#include <pqxx/pqxx>

#include "marketplace/rpc/client.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/testing/wait.hpp"
#include "payments_migrations.hpp"

namespace marketplace::payments::test {

Service& Service::Get() {
    static Service service;
    return service;
}

Service::Service() {
    clock_ = std::make_shared<core::ManualClock>();
    tokens::TestTokensOptions token_options;
    token_options.clock = clock_;
    tokens_ = std::make_unique<tokens::TestTokens>(token_options);

    service::RuntimeConfig config;
    config.name = "payments";
    config.pg = testing::TestDatabase::Shared("payments").Config(24);
    // No broker in the pg tier: the relay cannot publish, so what the service published stays in
    // the outbox for the tests to read.
    config.kafka.bootstrap = "127.0.0.1:9";
    config.kafka.message_timeout_ms = 1000;
    config.server.listen_address = "127.0.0.1:0";
    config.server.token_verifier = tokens_->verifier();
    config.server.drain_timeout = std::chrono::seconds(5);
    config.server.handle_signals = false;
    config.timer_poll = std::chrono::milliseconds(20);
    config.shutdown_timeout = std::chrono::seconds(5);
    runtime_ = std::make_unique<service::Runtime>(config, clock_);
    runtime_->Migrate("payments", migrations::payments());

    PaymentsConfig payments;  // the defaults: 10% fee, 16 shards, 8000 transfers per batch
    payments.webhook_secret = "pgtest-webhook-secret-0123456789";
    // The sandbox provider, chosen explicitly as development mode: it confirms every deposit.
    payments.provider = kSandboxProvider;
    payments.dev_mode = true;
    ComponentOptions options;
    options.consume_events = false;  // the tests drive the EventRouter themselves
    component_ = std::make_unique<PaymentsComponent>(*runtime_, payments, options);
    port_ = runtime_->Start();
    component_->UseSelfPort(port_);

    rpc::ChannelOptions channel;
    channel.target = "127.0.0.1:" + std::to_string(port_);
    stub_ = v1::PaymentsService::NewStub(rpc::CreateChannel(channel));
}

User NewUser(const std::string& role) { return {core::NewUuidV7(), role}; }

common::v1::Money Money(std::int64_t minor_units, const std::string& currency) {
    common::v1::Money m;
    m.set_minor_units(minor_units);
    m.set_currency(currency);
    return m;
}

void FundWallet(const User& user, std::int64_t minor_units, const std::string& currency) {
    const std::int64_t before = Available(user, currency);
    v1::CreateDepositRequest request;
    *request.mutable_amount() = Money(minor_units, currency);
    v1::CreateDepositResponse response;
    const auto result = Call(&v1::PaymentsService::Stub::CreateDeposit, user, request, &response);
    REQUIRE(result.status.error_message() == "");
    REQUIRE(Eventually([&] { return Available(user, currency) == before + minor_units; }));
}

contracts::v1::MilestoneAccepted AcceptedOf(const std::string& milestone_id, const std::string& contract_id,
                                            const std::string& client_id, std::int64_t amount,
                                            const std::vector<std::pair<User, int>>& payees) {
    contracts::v1::MilestoneAccepted e;
    e.set_milestone_id(milestone_id);
    e.set_contract_id(contract_id);
    e.set_client_id(client_id);
    *e.mutable_amount() = Money(amount);
    for (const auto& [user, bps] : payees) {
        auto* p = e.add_payees();
        p->set_user_id(user.id);
        p->set_share_bps(bps);
    }
    return e;
}

FundedEscrow FundedMilestone(std::int64_t amount) {
    FundedEscrow m{core::NewUuidV7(), core::NewUuidV7(), NewUser("client"), amount};
    FundWallet(m.client, amount);
    contracts::v1::MilestoneFundingRequested e;
    e.set_milestone_id(m.id);
    e.set_contract_id(m.contract_id);
    e.set_client_id(m.client.id);
    *e.mutable_amount() = Money(m.amount);
    e.set_attempt(1);
    Deliver(e, m.id);
    REQUIRE(PublishedOf<payments::v1::EscrowFunded>(m.id).size() == 1);
    return m;
}

std::int64_t QueryInt(const std::string& sql) {
    auto lease = Service::Get().runtime().pool().Acquire();
    pqxx::nontransaction q(*lease);
    const auto r = q.exec(sql);
    return r.empty() || r[0][0].is_null() ? 0 : r[0][0].as<std::int64_t>();
}

void ExecSql(const std::string& sql) {
    auto lease = Service::Get().runtime().pool().Acquire();
    pqxx::nontransaction q(*lease);
    q.exec(sql);
}

std::int64_t Balance(const std::string& kind, const std::string& owner, const std::string& currency) {
    auto lease = Service::Get().runtime().pool().Acquire();
    pqxx::nontransaction q(*lease);
    const auto r = q.exec_params("SELECT balance FROM accounts WHERE kind = $1 AND owner = $2 AND currency = $3", kind,
                                 owner, currency);
    return r.empty() ? 0 : r[0][0].as<std::int64_t>();
}

std::int64_t Available(const User& user, const std::string& currency) {
    return Balance("wallet_available", user.id, currency);
}

std::vector<std::pair<std::string, std::string>> Published(const std::string& key) {
    auto lease = Service::Get().runtime().pool().Acquire();
    pqxx::nontransaction q(*lease);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& row :
         q.exec_params("SELECT event_type, payload FROM outbox WHERE event_key = $1 ORDER BY id", key)) {
        const pqxx::binarystring payload(row[1]);
        out.emplace_back(row[0].c_str(), payload.str());
    }
    return out;
}

v1::AuditLedgerResponse Audit() {
    v1::AuditLedgerResponse response;
    const auto result =
        Call(&v1::PaymentsService::Stub::AuditLedger, NewUser("admin"), v1::AuditLedgerRequest(), &response, "");
    REQUIRE(result.status.error_message() == "");
    REQUIRE(result.ok());
    return response;
}

void RequireHealthyLedger() {
    const auto report = Audit();
    for (const auto& v : report.violations()) {
        UNSCOPED_INFO("violation " << v1::LedgerInvariant_Name(v.invariant()) << " " << v.currency() << " account "
                                   << v.account_id() << " (" << v.account_kind() << " " << v.account_owner()
                                   << "): " << v.detail());
    }
    REQUIRE(report.healthy());
    REQUIRE(report.violations_size() == 0);
    REQUIRE(report.accounts_checked() > 0);
}

bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    return testing::WaitUntil(condition, timeout, std::chrono::milliseconds(10));
}

}  // namespace marketplace::payments::test
