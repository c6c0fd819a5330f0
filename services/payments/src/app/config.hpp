#pragma once
// The payments service's own settings (the shared ones are in service::RuntimeConfig).
//
//   PAYMENTS_PLATFORM_FEE_BPS          platform fee in basis points of a release (default 1000 = 10%)
//   PAYMENTS_MAX_AMOUNT                largest amount of one deposit, payout or transfer, in minor
//                                      units (default 100000000000, i.e. 1 000 000 000.00)
//   PAYMENTS_FEE_SHARDS                shard accounts of the platform fee and provider clearing
//                                      accounts per currency (default 16)
//   PAYMENTS_MAX_BATCH_TRANSFERS       transfers in one CreateTransfers call (default 8000)
//   PAYMENTS_PROVIDER                  the payment provider; required. This build has one, "sandbox",
//                                      which confirms every deposit without moving real money: it is
//                                      accepted only with MARKETPLACE_DEV_MODE=1, so a production
//                                      configuration (no real provider yet) refuses to start
//   PAYMENTS_WEBHOOK_SECRET(_FILE)     HMAC secret of provider webhooks; required unless
//                                      MARKETPLACE_DEV_MODE=1 (then a well-known development value)
//   PAYMENTS_WEBHOOK_TOLERANCE         how far a webhook's timestamp may be from now (default 5m)
//   PAYMENTS_SANDBOX_WEBHOOK_TARGET    where the sandbox provider delivers its webhooks (default:
//                                      this service's own gRPC address)
#include <chrono>
#include <cstdint>
#include <string>

namespace marketplace::core {
class EnvReader;
}

namespace marketplace::payments {

inline constexpr char kDevWebhookSecret[] = "dev-only-payments-webhook-secret";
/// The development provider (api/sandbox_provider.hpp): needs MARKETPLACE_DEV_MODE=1.
inline constexpr char kSandboxProvider[] = "sandbox";

struct PaymentsConfig {
    std::int64_t platform_fee_bps = 1000;
    std::int64_t max_amount_minor = 100'000'000'000;
    int fee_shards = 16;
    int max_batch_transfers = 8000;
    /// PAYMENTS_PROVIDER; empty until chosen: PaymentsComponent refuses to build a provider from
    /// nothing, so every caller (main, tests) names one.
    std::string provider;
    /// MARKETPLACE_DEV_MODE: the sandbox provider runs only when this is set too.
    bool dev_mode = false;
    std::string webhook_secret = kDevWebhookSecret;
    std::chrono::seconds webhook_tolerance{300};
    std::string sandbox_webhook_target;  // host:port; empty until known

    /// Reads the variables above; `listen_address` (the gRPC server's) gives the sandbox's default
    /// target, with a wildcard host replaced by 127.0.0.1.
    static PaymentsConfig FromEnv(core::EnvReader& env, const std::string& listen_address);
};

/// "127.0.0.1:7104" for "0.0.0.0:7104", "[::]:7104" or "127.0.0.1:7104".
std::string LoopbackTarget(const std::string& listen_address);

}  // namespace marketplace::payments
