#pragma once
// The contracts service in-process for the pg tests: a fresh database, a ManualClock, test tokens,
// the Runtime on an ephemeral port, and helpers to call it over a real gRPC channel, seed contracts
// through the ProposalAccepted handler, feed payments' events, and read the outbox and timers.
//
// The relay is pointed at a Kafka address where nothing listens, so whatever the service publishes
// stays in its outbox for the tests to read.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "api/contracts_api.hpp"
#include "events/consumers.hpp"
#include "marketplace/contracts/v1/contracts.grpc.pb.h"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/clock.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/tokens/test_tokens.hpp"

namespace marketplace::contracts::testing {

/// The review period of contracts made by the fixture (the service default).
inline constexpr std::chrono::seconds kReviewPeriod = std::chrono::hours(24 * 14);

struct Fixture {
    Fixture();
    ~Fixture();

    std::shared_ptr<core::ManualClock> clock;
    tokens::TestTokens tokens;
    std::unique_ptr<service::Runtime> runtime;
    std::unique_ptr<api::ContractsApi> api;
    std::unique_ptr<EventConsumers> events;
    int port = 0;
    std::unique_ptr<v1::ContractsService::Stub> stub;
};

/// The process-wide fixture (one service and database per test binary).
Fixture& F();

/// A call's outcome: the status and, for INVALID_ARGUMENT, the field named in x-error-field.
struct CallOutcome {
    grpc::Status status;
    std::string field;
    bool ok() const { return status.ok(); }
    grpc::StatusCode code() const { return status.error_code(); }
};

/// Who calls: a user id and a role, or nobody (no token).
struct As {
    std::string user_id;
    std::string role;
};

template <typename Request, typename Response>
using Method = grpc::Status (v1::ContractsService::Stub::*)(grpc::ClientContext*, const Request&, Response*);

/// Calls `method` as `who` with `idempotency_key` (none when empty), a fresh token and a 10 s deadline.
template <typename Request, typename Response>
CallOutcome Call(Method<Request, Response> method, const As& who, const Request& request, Response* response,
                 const std::string& idempotency_key = {});

/// A fresh idempotency key.
std::string Key();

/// The parties and ids of a seeded contract.
struct Seeded {
    std::string proposal_id;
    std::string contract_id;
    std::string client_id;
    std::string freelancer_id;
    std::vector<std::string> milestone_ids;
    As client() const { return {client_id, "client"}; }
    As freelancer() const { return {freelancer_id, "freelancer"}; }
};

/// A ProposalAccepted with fresh ids and two milestones (1200.00 and 1800.00 EUR).
jobs::v1::ProposalAccepted SampleProposal();
/// Runs the ProposalAccepted handler in its own transaction; returns whether it created a contract.
bool Deliver(const jobs::v1::ProposalAccepted& event);
/// Delivers `event` and reads back the contract made from it.
Seeded SeedContract(const jobs::v1::ProposalAccepted& event = SampleProposal());
/// Both parties sign the statement of work (as GetStatementOfWork shows it).
void SignBoth(const Seeded& contract);
/// A signed contract whose first milestone is funded (fund, then EscrowFunded).
Seeded FundedContract();
/// A signed contract whose first milestone is submitted.
Seeded SubmittedContract();

/// Runs `fn` in one transaction on the service's pool (feeding events, reading tables).
void InTx(const std::function<void(pqxx::work&)>& fn);
void EscrowFunded(const std::string& milestone_id, std::int64_t minor, int attempt);
void EscrowFundingFailed(const std::string& milestone_id, const std::string& reason, int attempt);
void EscrowReleased(const std::string& milestone_id, std::int64_t minor);
void EscrowRefunded(const std::string& milestone_id, std::int64_t minor);

/// Events the service published with this key, oldest first: (type, payload).
struct Published {
    std::string type;
    std::string payload;
};
std::vector<Published> Outbox(const std::string& key);
/// How many events of `type` (e.g. "marketplace.contracts.v1.MilestoneAccepted") carry this key.
int CountOf(const std::string& key, const std::string& type);
/// The last event of `Message`'s type with this key (FAILs when there is none).
template <typename Message>
Message Last(const std::string& key);

/// The auto-release timer's due time for a milestone, as microseconds since the epoch, or -1 when none.
std::int64_t AutoReleaseDueMicros(const std::string& milestone_id);

/// Reads a milestone straight through GetMilestone as `who`.
v1::Milestone GetMilestone(const std::string& milestone_id, const As& who);

/// The milestone commands on a contract's first milestone (Cancel: on `milestone_id`), each with a
/// fresh idempotency key unless given, as the right party.
CallOutcome Fund(const Seeded& c, const std::string& key = Key(), v1::FundMilestoneResponse* out = nullptr);
CallOutcome Submit(const Seeded& c, const std::string& note, v1::SubmitMilestoneResponse* out = nullptr);
CallOutcome Accept(const Seeded& c, v1::AcceptMilestoneResponse* out = nullptr, const std::string& key = Key());
CallOutcome RequestChanges(const Seeded& c, const std::string& feedback);
CallOutcome Cancel(const Seeded& c, const std::string& milestone_id, v1::CancelMilestoneResponse* out = nullptr);
/// The state of the contract's i-th milestone, read as its client.
v1::MilestoneState StateOf(const Seeded& c, int i = 0);

std::int64_t Micros(core::Clock::TimePoint t);
std::int64_t Micros(const google::protobuf::Timestamp& t);

// ---------------------------------------------------------------------------------------------

template <typename Request, typename Response>
CallOutcome Call(Method<Request, Response> method, const As& who, const Request& request, Response* response,
                 const std::string& idempotency_key) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!who.user_id.empty()) ctx.AddMetadata("authorization", "Bearer " + F().tokens.For(who.user_id, who.role));
    if (!idempotency_key.empty()) ctx.AddMetadata("idempotency-key", idempotency_key);
    CallOutcome out;
    out.status = ((*F().stub).*method)(&ctx, request, response);
    const auto& trailers = ctx.GetServerTrailingMetadata();
    const auto it = trailers.find("x-error-field");
    if (it != trailers.end()) out.field = std::string(it->second.data(), it->second.size());
    return out;
}

template <typename Message>
Message Last(const std::string& key) {
    const std::string type = Message::descriptor()->full_name();
    Message m;
    bool found = false;
    for (const auto& e : Outbox(key)) {
        if (e.type == type) found = m.ParseFromString(e.payload);
    }
    if (!found) throw std::runtime_error("no " + type + " in the outbox for " + key);
    return m;
}

}  // namespace marketplace::contracts::testing
