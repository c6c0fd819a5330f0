#include "gateway_fixture.hpp"

#include "marketplace/rpc/client.hpp"
#include "marketplace/tokens/verifier.hpp"

namespace marketplace::gateway::test {

namespace {

std::unique_ptr<rpc::Server> StartServer(grpc::Service* service, const char* name,
                                         std::shared_ptr<const rpc::TokenVerifier> verifier) {
    rpc::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.drain_timeout = std::chrono::milliseconds(500);
    options.token_verifier = std::move(verifier);
    auto server = std::make_unique<rpc::Server>(options);
    server->AddService(service, name);
    server->Start();
    return server;
}

rpc::ChannelOptions Channel(int port) {
    rpc::ChannelOptions options;
    options.target = "127.0.0.1:" + std::to_string(port);
    return options;
}

}  // namespace

GatewayFixture::GatewayFixture(FixtureOptions options) {
    jobs_server = StartServer(&jobs, "marketplace.jobs.v1.JobsService", tokens.verifier());
    payments_server = StartServer(&payments, "marketplace.payments.v1.PaymentsService", tokens.verifier());
    auth_server = StartServer(&auth, "marketplace.auth.v1.AuthService", tokens.verifier());
    notifications_server =
        StartServer(&notifications, "marketplace.notifications.v1.NotificationsService", tokens.verifier());

    GatewayConfig config;
    config.http.listen_address = "127.0.0.1:0";
    config.http.threads = 2;
    config.http.limits.request_timeout = std::chrono::milliseconds(2'000);
    config.http.limits.idle_timeout = std::chrono::milliseconds(5'000);
    config.http.drain_timeout = std::chrono::milliseconds(1'000);
    config.upstream_timeout = std::chrono::milliseconds(2'000);
    config.health_timeout = std::chrono::milliseconds(500);
    config.ip_limit = {0, 1};
    config.user_limit = {0, 1};
    config.upstreams = {{"jobs", Channel(jobs_server->port())},
                        {"payments", Channel(payments_server->port())},
                        {"notifications", Channel(notifications_server->port())}};
    config.websocket.handshake_timeout = std::chrono::milliseconds(2'000);
    config.auth_channel = Channel(auth_server->port());
    if (options.configure) options.configure(config);

    std::shared_ptr<const rpc::TokenVerifier> verifier = tokens.verifier();
    if (options.use_jwks) {
        auth.SetKeys({tokens.key().public_key()});
        auto jwks = std::make_shared<tokens::JwksVerifier>(rpc::CreateChannel(config.auth_channel));
        jwks->Refresh();
        verifier = jwks;
    }
    gateway = std::make_unique<Gateway>(std::move(config), verifier);
    port = gateway->Start();
}

GatewayFixture::~GatewayFixture() {
    gateway.reset();
    jobs_server.reset();
    payments_server.reset();
    notifications_server.reset();
    auth_server.reset();
}

std::string GatewayFixture::Bearer(const std::string& user_id, const std::string& role) const {
    return "Bearer " + tokens.For(user_id, role);
}

}  // namespace marketplace::gateway::test
