#include "fixture.hpp"

#include <catch2/catch.hpp>

#include <pqxx/pqxx>

#include "auth_migrations.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/client.hpp"
#include "marketplace/rpc/forwarding.hpp"
#include "marketplace/rpc/status.hpp"

namespace marketplace::auth::testing {
namespace {

service::RuntimeConfig TestRuntimeConfig(const marketplace::testing::TestDatabase& database) {
    service::RuntimeConfig c;
    c.name = "auth";
    c.pg = database.Config(8);
    // Nothing listens here: the relay cannot publish, so events stay in the outbox for the tests.
    c.kafka.bootstrap = "127.0.0.1:9";
    c.kafka.message_timeout_ms = 100;  // the relay gives up on its first batch quickly at shutdown
    c.kafka.reconnect_backoff_max_ms = 1000;
    c.kafka.extra["log_level"] = "0";
    c.server.listen_address = "127.0.0.1:0";
    c.server.drain_timeout = std::chrono::seconds(2);
    c.server.handle_signals = false;
    c.timer_poll = std::chrono::milliseconds(50);
    c.shutdown_timeout = std::chrono::seconds(5);
    return c;
}

}  // namespace

AuthOptions TestOptions() {
    AuthOptions o;
    o.password_cost = PasswordCost::Minimum();
    o.admin = AdminSeed{kAdminEmail, kAdminPassword, "Root"};
    o.gateway_secret = kGatewaySecret;
    o.password_max_concurrent = 32;        // tests that run logins in parallel are not about this bound
    o.seed_key = std::string(32, '\x5a');  // a fixed test seed key
    return o;
}

std::string Key() { return "key-" + core::NewUuidV4(); }

std::string UniqueEmail(const std::string& tag) { return tag + "-" + core::RandomHex(6) + "@example.com"; }

AuthServer::AuthServer(AuthOptions options)
    : clock(std::make_shared<core::ManualClock>()),
      database(std::make_unique<marketplace::testing::TestDatabase>("auth")) {
    auto config = TestRuntimeConfig(*database);
    auto verifier = AuthApp::InstallVerifier(config, options, clock);
    runtime = std::make_unique<service::Runtime>(config, clock);
    runtime->Migrate("auth", migrations::auth());
    app = std::make_unique<AuthApp>(*runtime, options, verifier);
    app->Bootstrap();
    runtime->AddService(&app->api(), v1::AuthService::service_full_name());
    const int port = runtime->Start();
    channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
    stub = v1::AuthService::NewStub(channel);
}

AuthServer::~AuthServer() {
    runtime->Stop();
    app.reset();
    runtime.reset();
}

void AuthServer::Prepare(grpc::ClientContext& context, const CallOptions& options) {
    rpc::PrepareClientContext(context,
                              rpc::OutgoingCall{.deadline = std::chrono::system_clock::now() + std::chrono::seconds(20),
                                                .idempotency_key = options.idempotency_key,
                                                .bearer_token = options.token});
    if (!options.client_address.empty()) {
        context.AddMetadata(rpc::kClientAddressMetadata, options.client_address);
        context.AddMetadata(rpc::kGatewaySecretMetadata, options.gateway_secret);
    }
}

std::string AuthServer::ErrorField(const grpc::ClientContext& context) { return rpc::ErrorField(context); }

std::string AuthServer::RegisterUser(const std::string& email, v1::Role role, const std::string& password) {
    v1::RegisterRequest request;
    request.set_email(email);
    request.set_password(password);
    request.set_role(role);
    request.set_display_name("Test User");
    v1::RegisterResponse response;
    const auto status = Call(&v1::AuthService::Stub::Register, request, &response, {.idempotency_key = Key()});
    INFO(status.error_message());
    REQUIRE(status.ok());
    return response.user_id();
}

grpc::Status AuthServer::Login(const std::string& email, const std::string& password, v1::LoginResponse* response,
                               const std::string& client_address) {
    v1::LoginRequest request;
    request.set_email(email);
    request.set_password(password);
    return Call(&v1::AuthService::Stub::Login, request, response, {.client_address = client_address});
}

v1::Session AuthServer::LoginUser(const std::string& email, const std::string& password,
                                  const std::string& client_address) {
    v1::LoginResponse response;
    const auto status = Login(email, password, &response, client_address);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return response.session();
}

grpc::Status AuthServer::Refresh(const std::string& refresh_token, v1::RefreshResponse* response,
                                 const std::string& key) {
    v1::RefreshRequest request;
    request.set_refresh_token(refresh_token);
    return Call(&v1::AuthService::Stub::Refresh, request, response, {.idempotency_key = key});
}

std::int64_t AuthServer::Count(const std::string& table, const std::string& where) {
    return db::InTransaction(runtime->pool(), [&](pqxx::work& tx) {
        return tx.exec("SELECT count(*) FROM " + table + " WHERE " + where)[0][0].as<std::int64_t>();
    });
}

std::vector<std::string> AuthServer::OutboxPayloads(const std::string& event_name, const std::string& key) {
    return db::InTransaction(runtime->pool(), [&](pqxx::work& tx) {
        const auto r = tx.exec_params("SELECT payload FROM outbox WHERE event_type = $1 AND event_key = $2 ORDER BY id",
                                      "marketplace.auth.v1." + event_name, key);
        std::vector<std::string> out;
        for (const auto& row : r) out.push_back(pqxx::binarystring(row[0]).str());
        return out;
    });
}

}  // namespace marketplace::auth::testing
