#pragma once
// The clans service in-process for the pg tests (marketplace/testing/in_process_service.hpp: a fresh
// database, test tokens, the Runtime on an ephemeral port, a real gRPC channel), and helpers to feed
// contracts' and payments' events through the service's own router (as its consumer would) and to
// call the API as a given user.
#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include <pqxx/transaction>

#include "component.hpp"
#include "marketplace/clans/v1/clans.grpc.pb.h"
#include "marketplace/testing/in_process_service.hpp"

namespace marketplace::clans::testing {

struct Fixture : marketplace::testing::InProcessService<Component, v1::ClansService> {
    Fixture();
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
using marketplace::testing::ErrorField;

/// How many events of `type` ("ClanMemberChanged") the outbox holds for the clan.
int OutboxCount(const std::string& type, const std::string& clan_id);

}  // namespace marketplace::clans::testing
