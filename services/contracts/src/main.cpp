// The contracts service: wiring only.
#include <memory>

#include "api/contracts_api.hpp"
#include "config.hpp"
#include "contracts_migrations.hpp"
#include "events/contract_events.hpp"
#include "marketplace/auth/verifier.hpp"
#include "marketplace/core/log.hpp"

int main() {
    using namespace marketplace;
    core::log::Init("contracts");
    auto config = core::LoadConfigOrExit<contracts::ContractsConfig>([] {
        core::EnvReader env;
        auto c = contracts::ContractsConfig::FromEnv(env);
        env.Finish();
        return c;
    });
    const auto clock = service::ClockFromEnv();
    config.runtime.server.token_verifier = auth::ServiceTokenVerifier(config.auth, clock);

    service::Runtime runtime(config.runtime, clock);
    runtime.Migrate("contracts", migrations::contracts());

    contracts::api::ContractsApi api(runtime);
    contracts::ContractEvents events(runtime, config.auto_release_after);
    runtime.AddService(&api, contracts::v1::ContractsService::service_full_name());
    events.Register(runtime);
    return runtime.Run();
}
