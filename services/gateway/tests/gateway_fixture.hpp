#pragma once
// The gateway in-process on an ephemeral port, in front of fake jobs, payments, notifications and auth services
// (real gRPC servers built with libs/rpc, on ephemeral ports, verifying tokens themselves).
#include <functional>
#include <memory>
#include <string>

#include "config.hpp"
#include "fake_services.hpp"
#include "gateway.hpp"
#include "marketplace/rpc/server.hpp"
#include "marketplace/testing/http_client.hpp"
#include "marketplace/tokens/test_tokens.hpp"

namespace marketplace::gateway::test {

struct FixtureOptions {
    /// Changes to the test configuration (which has rate limits off and short timeouts).
    std::function<void(GatewayConfig&)> configure;
    /// Verify tokens with a JwksVerifier fetching from the fake auth service (else TestTokens' verifier).
    bool use_jwks = false;
};

class GatewayFixture final {
public:
    explicit GatewayFixture(FixtureOptions options = {});
    ~GatewayFixture();

    marketplace::testing::HttpClient Client() const { return marketplace::testing::HttpClient(port); }
    /// "Bearer <valid token>" for a user and role.
    std::string Bearer(const std::string& user_id, const std::string& role) const;

    tokens::TestTokens tokens;
    FakeJobs jobs;
    FakePayments payments;
    FakeAuth auth;
    FakeNotifications notifications;
    std::unique_ptr<rpc::Server> jobs_server;
    std::unique_ptr<rpc::Server> payments_server;
    std::unique_ptr<rpc::Server> notifications_server;
    std::unique_ptr<rpc::Server> auth_server;
    std::unique_ptr<Gateway> gateway;
    int port = 0;
};

/// A user id for tests.
inline constexpr char kClientId[] = "0190a1b2-0000-7000-8000-00000000c11e";
inline constexpr char kFreelancerId[] = "0190a1b2-0000-7000-8000-0000000f2ee1";

}  // namespace marketplace::gateway::test
