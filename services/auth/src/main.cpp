// The auth service: wiring only.
#include "app/auth_app.hpp"
#include "auth_migrations.hpp"
#include "config.hpp"
#include "marketplace/core/log.hpp"

int main() {
    using namespace marketplace;
    core::log::Init("auth");
    auto config = core::LoadConfigOrExit<auth::AuthConfig>([] {
        core::EnvReader env;
        return auth::AuthConfig::FromEnv(env);
    });

    const auto clock = service::ClockFromEnv();
    auto verifier = auth::AuthApp::InstallVerifier(config.runtime, config.auth, clock);
    service::Runtime runtime(config.runtime, clock);
    runtime.Migrate("auth", migrations::auth());

    auth::AuthApp app(runtime, config.auth, verifier);
    app.Bootstrap();
    runtime.AddService(&app.api(), auth::v1::AuthService::service_full_name());
    return runtime.Run();
}
