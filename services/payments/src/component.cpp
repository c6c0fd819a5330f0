#include "component.hpp"

#include <stdexcept>

#include "events/consumers.hpp"

namespace marketplace::payments {
namespace {

std::shared_ptr<SandboxProvider> MaybeSandbox(const ComponentOptions& options, const PaymentsConfig& config,
                                              const service::Runtime& runtime) {
    if (options.provider) return nullptr;
    // PaymentsConfig::FromEnv refuses these already; a config built in code gets the same rule.
    if (config.provider != kSandboxProvider) {
        throw std::invalid_argument("payments: no payment provider '" + config.provider +
                                    "' in this build (PAYMENTS_PROVIDER; only 'sandbox')");
    }
    if (!config.dev_mode) {
        throw std::invalid_argument(
            "payments: the sandbox provider confirms every deposit; it runs only in "
            "development mode (MARKETPLACE_DEV_MODE=1)");
    }
    return std::make_shared<SandboxProvider>(config.webhook_secret, runtime.clock(), config.sandbox_webhook_target);
}

}  // namespace

PaymentsComponent::PaymentsComponent(service::Runtime& runtime, PaymentsConfig config, ComponentOptions options)
    : config_(std::move(config)),
      sandbox_(MaybeSandbox(options, config_, runtime)),
      escrow_(runtime, config_),
      wallets_(runtime, config_, options.provider ? options.provider : sandbox_),
      admin_(runtime, config_),
      api_(runtime, config_, wallets_, escrow_, admin_),
      ledger_metrics_(runtime.pool()) {
    RouteContractEvents(router_, escrow_);
    if (options.consume_events) runtime.Consume(router_);
    runtime.OnTimer(kSubmitDepositTimer,
                    [this](pqxx::work& tx, const messaging::Timer& timer) { wallets_.SubmitDeposit(tx, timer); });
    runtime.OnTimer(kSubmitPayoutTimer,
                    [this](pqxx::work& tx, const messaging::Timer& timer) { wallets_.SubmitPayout(tx, timer); });
    runtime.AddService(&api_, v1::PaymentsService::service_full_name());
}

void PaymentsComponent::UseSelfPort(int port) {
    if (sandbox_) sandbox_->SetTarget("127.0.0.1:" + std::to_string(port));
}

}  // namespace marketplace::payments
