#pragma once
// The payments service in-process for the pg tests: a fresh database, the Runtime on an ephemeral
// port with a manual clock, the sandbox provider delivering webhooks to it, and helpers to call it
// as a client, a freelancer or an admin, to drive contracts' events through its EventRouter, and
// to check the ledger's invariants.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "component.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/clock.hpp"
#include "marketplace/payments/v1/events.pb.h"
#include "marketplace/payments/v1/payments.grpc.pb.h"
#include "marketplace/service/runtime.hpp"
#include "marketplace/tokens/test_tokens.hpp"

namespace marketplace::payments::test {

class Service final {
public:
    /// The one instance of this test binary (started on first use, stopped at exit).
    static Service& Get();

    service::Runtime& runtime() { return *runtime_; }
    PaymentsComponent& component() { return *component_; }
    v1::PaymentsService::Stub& stub() { return *stub_; }
    core::ManualClock& clock() { return *clock_; }
    const tokens::TestTokens& tokens() const { return *tokens_; }
    int port() const { return port_; }

private:
    Service();
    std::shared_ptr<core::ManualClock> clock_;
    std::unique_ptr<tokens::TestTokens> tokens_;
    std::unique_ptr<service::Runtime> runtime_;
    std::unique_ptr<PaymentsComponent> component_;
    int port_ = 0;
    std::unique_ptr<v1::PaymentsService::Stub> stub_;
};

struct User {
    std::string id;
    std::string role;
};
/// A new user id with `role` ("client", "freelancer", "admin").
User NewUser(const std::string& role);

/// What a call returned: the status and, for INVALID_ARGUMENT, the field named.
struct CallResult {
    grpc::Status status;
    std::string field;
    bool ok() const { return status.ok(); }
    grpc::StatusCode code() const { return status.error_code(); }
};

/// Calls a PaymentsService method as `who` (no token when who.id is empty), with `idempotency_key`
/// (a fresh one when "auto", none when empty).
template <typename Request, typename Response>
CallResult Call(grpc::Status (v1::PaymentsService::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                const User& who, const Request& request, Response* response,
                const std::string& idempotency_key = "auto");

common::v1::Money Money(std::int64_t minor_units, const std::string& currency = "EUR");

/// Deposits through the sandbox (webhook and all) and waits until the wallet is credited.
void FundWallet(const User& user, std::int64_t minor_units, const std::string& currency = "EUR");

/// A milestone of a new client whose escrow holds `amount`: the client's wallet funded with it, then
/// MilestoneFundingRequested delivered and EscrowFunded published.
struct FundedEscrow {
    std::string id;
    std::string contract_id;
    User client;
    std::int64_t amount = 0;
};
FundedEscrow FundedMilestone(std::int64_t amount);

/// The MilestoneAccepted contracts publishes for a milestone: `amount` paid to `payees` (each a user
/// and a share in basis points).
contracts::v1::MilestoneAccepted AcceptedOf(const std::string& milestone_id, const std::string& contract_id,
                                            const std::string& client_id, std::int64_t amount,
                                            const std::vector<std::pair<User, int>>& payees);

/// A balance straight from the ledger (0 when the account does not exist).
std::int64_t Balance(const std::string& kind, const std::string& owner, const std::string& currency = "EUR");
std::int64_t Available(const User& user, const std::string& currency = "EUR");

/// Runs a contracts event through the service's EventRouter in one transaction, as the consumer
/// would (a fresh event id each call unless given).
template <typename Message>
void Deliver(const Message& event, const std::string& key, const std::string& event_id = "");

/// The events payments published with `key`, oldest first: (type, payload).
std::vector<std::pair<std::string, std::string>> Published(const std::string& key);
/// The payloads of the events of `Message`'s type published with `key`, parsed.
template <typename Message>
std::vector<Message> PublishedOf(const std::string& key);

/// Calls AuditLedger as an admin and REQUIREs a healthy ledger (printing any violation).
void RequireHealthyLedger();
/// Calls AuditLedger as an admin.
v1::AuditLedgerResponse Audit();

/// Runs SQL on the service's database (for tampering and inspection).
void ExecSql(const std::string& sql);
std::int64_t QueryInt(const std::string& sql);

/// Polls `condition` for up to 10 s.
bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace marketplace::payments::test

#include "fixture_inl.hpp"
