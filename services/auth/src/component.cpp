#include "component.hpp"

#include "marketplace/auth/v1/auth.grpc.pb.h"
#include "storage/retention.hpp"

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
    const auto& retention = runtime.config().retention;
    runtime.OnRetention("login_failures",
                        [period = retention.login_failures](pqxx::work& tx, core::Clock::TimePoint now, int batch) {
                            return storage::PurgeLoginFailures(tx, now - period, batch);
                        });
    runtime.OnRetention("expired_sessions",
                        [period = retention.expired_sessions](pqxx::work& tx, core::Clock::TimePoint now, int batch) {
                            return storage::PurgeExpiredSessions(tx, now - period, batch);
                        });
}

}  // namespace marketplace::auth
