// The payments service: the ledger, wallets, escrow and the provider webhook (docs/ARCHITECTURE.md, "The ledger").
#include "app/component.hpp"
#include "marketplace/auth/verifier.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/rpc/client.hpp"
#include "marketplace/service/runtime.hpp"
#include "payments_migrations.hpp"

int main() {
    using namespace marketplace;
    core::log::Init("payments");
    core::EnvReader env;
    service::RuntimeConfig runtime_config;
    payments::PaymentsConfig config;
    rpc::ChannelOptions auth_channel;  // where the JWKS comes from
    try {
        runtime_config = service::RuntimeConfig::FromEnv(env, "payments", 7104);
        config = payments::PaymentsConfig::FromEnv(env, runtime_config.server.listen_address);
        auth_channel = rpc::ChannelOptions::FromEnv(env, "AUTH", "127.0.0.1:7101");
        env.Finish();
    } catch (const core::ConfigError& e) {
        core::ExitOnConfigError(e);
    }
    const auto clock = service::ClockFromEnv();
    runtime_config.server.token_verifier = auth::ServiceTokenVerifier(auth_channel, clock);
    service::Runtime runtime(std::move(runtime_config), clock);
    runtime.Migrate("payments", migrations::payments());
    payments::PaymentsComponent component(runtime, std::move(config));
    return runtime.Run();
}
