#pragma once
// The auth service in-process on a fresh database, called over a real gRPC channel.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "app/auth_app.hpp"
#include "config.hpp"
#include "marketplace/auth/v1/auth.grpc.pb.h"
#include "marketplace/core/clock.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/testing/database.hpp"

namespace marketplace::auth::testing {

inline constexpr char kAdminEmail[] = "root@marketplace.test";
inline constexpr char kAdminPassword[] = "admin password 123";
inline constexpr char kPassword[] = "correct horse battery";
/// The secret TestOptions() configures as AUTH_GATEWAY_SECRET.
inline constexpr char kGatewaySecret[] = "test-gateway-secret-0123456789";

/// Options for tests: the cheapest argon2id cost (32 at once), a seeded admin, default throttling,
/// kGatewaySecret.
AuthOptions TestOptions();

/// What a test call carries besides its message.
struct CallOptions {
    std::string token;            // bearer token
    std::string idempotency_key;  // "" = none; Key() makes a fresh one
    std::string client_address;   // sent as the gateway does: x-client-address with x-gateway-secret
    std::string gateway_secret = kGatewaySecret;
};

/// A fresh idempotency key.
std::string Key();
/// A unique email address.
std::string UniqueEmail(const std::string& tag = "user");

class AuthServer final {
public:
    explicit AuthServer(AuthOptions options = TestOptions());
    ~AuthServer();

    std::shared_ptr<core::ManualClock> clock;
    std::unique_ptr<marketplace::testing::TestDatabase> database;
    std::unique_ptr<service::Runtime> runtime;
    std::unique_ptr<AuthApp> app;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::AuthService::Stub> stub;

    /// Calls `method` of the stub with `options`; returns the status, the response and the x-error-field.
    template <typename Response, typename Request, typename Method>
    grpc::Status Call(Method method, const Request& request, Response* response, const CallOptions& options = {},
                      std::string* error_field = nullptr) {
        grpc::ClientContext context;
        Prepare(context, options);
        const grpc::Status status = ((*stub).*method)(&context, request, response);
        if (error_field != nullptr) *error_field = ErrorField(context);
        return status;
    }

    // Shortcuts that REQUIRE success.
    std::string RegisterUser(const std::string& email, v1::Role role = v1::ROLE_CLIENT,
                             const std::string& password = kPassword);
    v1::Session LoginUser(const std::string& email, const std::string& password = kPassword,
                          const std::string& client_address = "198.51.100.1");

    // Status-returning helpers.
    grpc::Status Login(const std::string& email, const std::string& password, v1::LoginResponse* response,
                       const std::string& client_address = "198.51.100.1");
    grpc::Status Refresh(const std::string& refresh_token, v1::RefreshResponse* response,
                         const std::string& key = Key());

    /// Rows in a table (for "nothing changed" checks).
    std::int64_t Count(const std::string& table, const std::string& where = "true");
    /// Payloads of outbox events of a type ("UserRegistered") with a key.
    std::vector<std::string> OutboxPayloads(const std::string& event_name, const std::string& key);

private:
    void Prepare(grpc::ClientContext& context, const CallOptions& options);
    static std::string ErrorField(const grpc::ClientContext& context);
};

}  // namespace marketplace::auth::testing
