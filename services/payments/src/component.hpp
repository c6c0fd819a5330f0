#pragma once
// Everything the payments service registers with its Runtime: the gRPC API, the consumer of
// contracts' events, the provider-submission timers, and the payment provider (the one given, or
// the sandbox when the config chooses it in development mode; anything else throws). The kit's main
// (main.cpp) and the tests build the service through this one class.
#include <memory>
#include <string>

#include "api/payments_api.hpp"
#include "api/sandbox_provider.hpp"
#include "app/config.hpp"
#include "app/escrow_flows.hpp"
#include "app/ledger_admin.hpp"
#include "app/ledger_metrics.hpp"
#include "app/wallet_flows.hpp"
#include "marketplace/service/event_router.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::payments {

struct ComponentOptions {
    /// Consume contracts.events.v1 (tests that drive the handlers themselves turn it off).
    bool consume_events = true;
    /// The provider; null: a SandboxProvider delivering to config.sandbox_webhook_target, which needs
    /// config.provider == "sandbox" and config.dev_mode (std::invalid_argument otherwise).
    std::shared_ptr<PaymentProvider> provider;
};

class PaymentsComponent final {
public:
    /// The service kit's configuration (kit.hpp): PAYMENTS_* (PaymentsConfig::FromEnv).
    struct Config {
        PaymentsConfig payments;
        static Config FromEnv(core::EnvReader& env, const service::RuntimeConfig& runtime) {
            return {PaymentsConfig::FromEnv(env, runtime.server.listen_address)};
        }
    };
    /// What the kit's main builds: consumers on, the provider from the configuration.
    PaymentsComponent(service::Runtime& runtime, Config config)
        : PaymentsComponent(runtime, std::move(config.payments), ComponentOptions{}) {}

    /// Registers the pieces with `runtime` (before runtime.Start()).
    PaymentsComponent(service::Runtime& runtime, PaymentsConfig config, ComponentOptions options);

    /// Points the sandbox at "127.0.0.1:<port>" once the server has bound it (tests on port 0).
    void UseSelfPort(int port);

    const PaymentsConfig& config() const noexcept { return config_; }
    const service::EventRouter& router() const noexcept { return router_; }
    EscrowFlows& escrow() noexcept { return escrow_; }
    WalletFlows& wallets() noexcept { return wallets_; }
    LedgerAdmin& admin() noexcept { return admin_; }
    /// The sandbox provider, or null when another provider was given.
    SandboxProvider* sandbox() const noexcept { return sandbox_.get(); }

private:
    PaymentsConfig config_;
    std::shared_ptr<SandboxProvider> sandbox_;
    EscrowFlows escrow_;
    WalletFlows wallets_;
    LedgerAdmin admin_;
    service::EventRouter router_;
    PaymentsApi api_;
    LedgerMetrics ledger_metrics_;
};

}  // namespace marketplace::payments
