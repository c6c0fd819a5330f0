#pragma once
// The workroom in-process on real PostgreSQL with the gateway (in-process too, routing to it) in
// front, for the pg tests that speak to it over gRPC and over HTTP: a database of the test's own, test
// tokens, the Runtime on an ephemeral port, the gateway on another, and what every such test calls.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include <google/protobuf/message.h>

#include "component.hpp"
#include "gateway.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/testing/http_client.hpp"
#include "marketplace/tokens/test_tokens.hpp"

namespace marketplace::workroom::testing {

struct GatewayPgFixture {
    /// The workroom on TestDatabase::Shared(`database`) with `config` (its events fed by the tests:
    /// consume_events is turned off), started, and the gateway started in front of it.
    GatewayPgFixture(const std::string& database, Component::Config config);
    virtual ~GatewayPgFixture();
    GatewayPgFixture(const GatewayPgFixture&) = delete;
    GatewayPgFixture& operator=(const GatewayPgFixture&) = delete;

    /// Stops the gateway, then the workroom (again: nothing).
    void Stop();

    /// A client context for `user_id` (no token when empty) with a deadline `seconds` away.
    std::unique_ptr<grpc::ClientContext> As(const std::string& user_id, int seconds = 10) const;
    /// The Authorization header of `user` for the gateway.
    marketplace::testing::HttpHeaders Bearer(const std::string& user) const;
    /// Hands `event`, a contracts event, to the workroom's router in one transaction, as its consumer does.
    void Deliver(const google::protobuf::Message& event);

    std::shared_ptr<core::ManualClock> clock = std::make_shared<core::ManualClock>();
    tokens::TestTokens tokens{tokens::TestTokensOptions{.clock = clock}};
    std::unique_ptr<service::Runtime> runtime;
    std::unique_ptr<Component> component;
    int port = 0;  // the workroom's gRPC
    std::unique_ptr<gateway::Gateway> gate;
    int gateway_port = 0;
};

/// The x-error-field trailer of a finished call, or "".
std::string ErrorField(const grpc::ClientContext& context);

}  // namespace marketplace::workroom::testing
