#pragma once
// Everything the auth service runs, built once: used by main() and by the in-process tests.
//
//   auto verifier = auth::AuthApp::InstallVerifier(config.runtime, config.auth, clock);
//   service::Runtime runtime(config.runtime, clock);
//   runtime.Migrate("auth", migrations::auth());
//   auth::AuthApp app(runtime, config.auth, verifier);
//   app.Bootstrap();                     // first signing key, configured admin
//   runtime.AddService(&app.api(), auth::v1::AuthService::service_full_name());
#include <memory>

#include "api/auth_api.hpp"
#include "app/accounts.hpp"
#include "app/key_ring.hpp"
#include "app/password_work.hpp"
#include "app/profiles.hpp"
#include "config.hpp"
#include "domain/password_hasher.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::auth {

class AuthApp final {
public:
    /// Creates the service's own token verifier and puts it in `config.server` (before the Runtime exists).
    static std::shared_ptr<LocalTokenVerifier> InstallVerifier(service::RuntimeConfig& config,
                                                               const AuthOptions& options,
                                                               std::shared_ptr<const core::Clock> clock);

    AuthApp(service::Runtime& runtime, AuthOptions options, std::shared_ptr<LocalTokenVerifier> verifier);
    ~AuthApp();
    AuthApp(const AuthApp&) = delete;
    AuthApp& operator=(const AuthApp&) = delete;

    /// After Migrate: makes sure a signing key exists and seeds the configured admin.
    void Bootstrap();

    AuthApi& api() noexcept { return api_; }
    Accounts& accounts() noexcept { return accounts_; }
    KeyRing& keys() noexcept { return keys_; }
    PasswordWork& passwords() noexcept { return passwords_; }

private:
    AuthOptions options_;
    std::shared_ptr<LocalTokenVerifier> verifier_;
    PasswordHasher hasher_;
    PasswordWork passwords_;
    KeyRing keys_;
    Accounts accounts_;
    Profiles profiles_;
    AuthApi api_;
};

}  // namespace marketplace::auth
