// The gateway: wiring only.
#include <cstdlib>
#include <exception>
#include <memory>

#include "config.hpp"
#include "gateway.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/tokens/verifier.hpp"
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
        // Token expiry is decided on the services' clock: the system clock, or in whole-process
        // tests the one shifted by MARKETPLACE_CLOCK_OFFSET_FILE (as libs/service reads it).
        tokens::JwksVerifierOptions jwks;
        if (const char* path = std::getenv("MARKETPLACE_CLOCK_OFFSET_FILE"); path != nullptr && *path != '\0') {
            core::log::Warn("time comes from a test clock offset file", {{"path", path}});
            jwks.verify.clock = std::make_shared<core::OffsetFileClock>(path);
        }
        // Keys and session revocations come from a background thread: verifying a token on an I/O
        // thread never waits for auth (an unknown kid is 503 "try again" until the thread fetched).
        jwks.background_refresh = config.token_refresh;
        jwks.fetch_timeout = config.jwks_timeout;
        jwks.fetch_inline = false;
        auto verifier = std::make_shared<tokens::JwksVerifier>(rpc::CreateChannel(config.auth_channel), jwks);
        // Before the I/O threads start (main's thread may wait): tokens verify from the first request.
        if (!verifier->Refresh()) core::log::Warn("JWKS not fetched yet; the background thread keeps trying");
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
