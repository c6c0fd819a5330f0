// The gateway: wiring only.
#include <exception>
#include <memory>

#include "config.hpp"
#include "gateway.hpp"
#include "marketplace/auth/verifier.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/core/log.hpp"
#include "signals.hpp"

int main() {
    using namespace marketplace;
    gateway::BlockTerminationSignals();  // before any thread starts: only main waits for them
    core::log::Init("gateway");
    auto config = core::LoadConfigOrExit<gateway::GatewayConfig>([] {
        core::EnvReader env;
        auto c = gateway::GatewayConfig::FromEnv(env);
        env.Finish();
        return c;
    });
    try {
        auto verifier = std::make_shared<auth::JwksVerifier>(rpc::CreateChannel(config.auth_channel));
        if (!verifier->Refresh()) core::log::Warn("JWKS not fetched yet; retrying on the first token");
        gateway::Gateway gateway(std::move(config), verifier);
        gateway.Start();
        const int signal = gateway::WaitForTerminationSignal();
        core::log::Info("draining", {{"signal", signal}});
        gateway.Stop();
        core::log::Info("stopped");
    } catch (const std::exception& e) {
        core::log::Error("gateway failed", {{"error", e.what()}});
        return 1;
    }
    return 0;
}
