#include "app/auth_app.hpp"

#include "marketplace/core/log.hpp"

namespace marketplace::auth {

std::shared_ptr<LocalTokenVerifier> AuthApp::InstallVerifier(service::RuntimeConfig& config, const AuthOptions& options,
                                                             std::shared_ptr<const core::Clock> clock) {
    auto verifier =
        std::make_shared<LocalTokenVerifier>(tokens::VerifierOptions{.issuer = options.issuer, .clock = clock});
    config.server.token_verifier = verifier;
    return verifier;
}

AuthApp::AuthApp(service::Runtime& runtime, AuthOptions options, std::shared_ptr<LocalTokenVerifier> verifier)
    : options_(std::move(options)),
      verifier_(std::move(verifier)),
      hasher_(options_.password_cost),
      passwords_(hasher_, options_.PasswordSlots()),
      keys_(runtime, KeyRingOptions{options_.issuer, options_.access_ttl, options_.key_retention, options_.seed_key,
                                    options_.seed_key_previous}),
      accounts_(runtime, keys_, passwords_,
                AccountsOptions{options_.access_ttl, options_.reset_ttl, options_.reset_max_per_ttl,
                                options_.refresh_ttl, options_.session_max_age, options_.account_throttle,
                                options_.source_throttle, options_.registration_throttle}),
      profiles_(runtime),
      api_(accounts_, keys_, profiles_, *verifier_, options_.gateway_secret) {
    verifier_->Attach(&keys_, [this] { return accounts_.ListSessionRevocations(); });
    if (options_.gateway_secret.empty()) {
        core::log::Warn(
            "auth: AUTH_GATEWAY_SECRET is not set: login throttling keys on the gRPC peer, so every client "
            "behind the gateway shares one source address");
    }
    core::log::Info("auth: argon2id slots", {{"slots", passwords_.slots().capacity()}});
}

AuthApp::~AuthApp() { verifier_->Attach(nullptr, {}); }

void AuthApp::Bootstrap() {
    keys_.EnsureCurrentKey();
    verifier_->Refresh();
    if (options_.admin) accounts_.SeedAdmin(*options_.admin);
}

}  // namespace marketplace::auth
