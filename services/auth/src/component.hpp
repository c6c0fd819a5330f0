#pragma once
// The auth service's composition root: its configuration (AUTH_*), its own token verifier (auth issues the
// tokens, so it verifies them with its own keys rather than a JWKS fetched from itself), the API, the
// signing key and the seeded admin, registered with the Runtime in one place.
#include <memory>

#include "app/auth_app.hpp"
#include "config.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::auth {

class Component final {
public:
    struct Config {
        AuthOptions auth;
        /// Set by Configure, before the Runtime exists.
        std::shared_ptr<LocalTokenVerifier> verifier;
        static Config FromEnv(core::EnvReader& env, const service::RuntimeConfig& runtime);
    };

    /// The kit's hook before the Runtime is built: installs auth's own verifier in the server options.
    static void Configure(service::RuntimeConfig& runtime, Config& config, std::shared_ptr<const core::Clock> clock);

    /// Makes sure a signing key exists, seeds the configured admin, and registers the API.
    Component(service::Runtime& runtime, Config config);

private:
    AuthApp app_;
};

}  // namespace marketplace::auth
