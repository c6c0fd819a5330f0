#pragma once
// The clans service in-process for the pg tests: a fresh database, test tokens, the Runtime on an
// ephemeral port, a real gRPC channel, and helpers to feed contracts' and payments' events through
// the service's own router (as its consumer would) and to call the API as a given user.
#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include <pqxx/transaction>

#include "component.hpp"
#include "marketplace/auth/test_tokens.hpp"
#include "marketplace/clans/v1/clans.grpc.pb.h"
#include "marketplace/core/clock.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::clans::testing {

struct Fixture {
    Fixture();
    ~Fixture();

    std::shared_ptr<core::ManualClock> clock;
    auth::TestTokens tokens;
    std::unique_ptr<service::Runtime> runtime;
    std::unique_ptr<Component> component;
    int port = 0;
    std::unique_ptr<v1::ClansService::Stub> stub;
};

/// The process-wide fixture (one service and database per test binary).
Fixture& F();

void InTx(const std::function<void(pqxx::work&)>& fn);

/// Hands `event` to the service's router in one transaction, as the consumer does.
void Deliver(const google::protobuf::Message& event);

/// A client context for `user_id` with account role `role` and a fresh idempotency key (or `key`).
std::unique_ptr<grpc::ClientContext> Context(const std::string& user_id, const std::string& role = "freelancer",
                                             const std::string& key = {});

/// The x-error-field trailer of a finished call, or "".
std::string ErrorField(const grpc::ClientContext& context);

/// How many events of `type` ("ClanMemberChanged") the outbox holds for the clan.
int OutboxCount(const std::string& type, const std::string& clan_id);

}  // namespace marketplace::clans::testing
