#include "component.hpp"

#include "marketplace/auth/v1/auth.grpc.pb.h"

namespace marketplace::auth {

Component::Config Component::Config::FromEnv(core::EnvReader& env, const service::RuntimeConfig& /*runtime*/) {
    return Config{AuthOptions::FromEnv(env), nullptr};
}

void Component::Configure(service::RuntimeConfig& runtime, Config& config, std::shared_ptr<const core::Clock> clock) {
    config.verifier = AuthApp::InstallVerifier(runtime, config.auth, std::move(clock));
}

Component::Component(service::Runtime& runtime, Config config)
    : app_(runtime, std::move(config.auth), std::move(config.verifier)) {
    app_.Bootstrap();
    runtime.AddService(&app_.api(), v1::AuthService::service_full_name());
}

}  // namespace marketplace::auth
