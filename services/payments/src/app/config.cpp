#include "app/config.hpp"

#include <cstdint>

#include "marketplace/core/config.hpp"

namespace marketplace::payments {

std::string LoopbackTarget(const std::string& listen_address) {
    const auto colon = listen_address.rfind(':');
    if (colon == std::string::npos) return listen_address;
    const std::string host = listen_address.substr(0, colon);
    const std::string port = listen_address.substr(colon + 1);
    if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::" || host == "*") {
        return "127.0.0.1:" + port;
    }
    return listen_address;
}

PaymentsConfig PaymentsConfig::FromEnv(core::EnvReader& env, const std::string& listen_address) {
    PaymentsConfig c;
    c.platform_fee_bps = env.Int("PAYMENTS_PLATFORM_FEE_BPS", c.platform_fee_bps, 0, 10000);
    c.max_amount_minor = env.Int("PAYMENTS_MAX_AMOUNT", c.max_amount_minor, 1, INT64_MAX / 2);
    c.fee_shards = static_cast<int>(env.Int("PAYMENTS_FEE_SHARDS", c.fee_shards, 1, 1024));
    c.max_batch_transfers = static_cast<int>(env.Int("PAYMENTS_MAX_BATCH_TRANSFERS", c.max_batch_transfers, 1, 100000));
    c.dev_mode = env.DevMode();
    c.provider = env.String("PAYMENTS_PROVIDER", "");
    if (c.provider.empty()) {
        env.Reject("PAYMENTS_PROVIDER",
                   "is required: name the payment provider. This build has no real provider; its only one, "
                   "'sandbox', confirms every deposit without moving money and runs only with " +
                       std::string(core::kDevModeVariable) + "=1");
    } else if (c.provider != kSandboxProvider) {
        env.Reject("PAYMENTS_PROVIDER",
                   "unknown provider '" + c.provider + "': this build has only 'sandbox' (development only)");
    } else if (!c.dev_mode) {
        env.Reject("PAYMENTS_PROVIDER", "'sandbox' confirms every deposit without moving money, so it runs only with " +
                                            std::string(core::kDevModeVariable) +
                                            "=1; production needs a real provider, and this build has none");
    }
    c.webhook_secret = env.SecretOrDevDefault("PAYMENTS_WEBHOOK_SECRET", kDevWebhookSecret);
    if (!c.webhook_secret.empty() && c.webhook_secret.size() < 16) {
        env.Reject("PAYMENTS_WEBHOOK_SECRET", "must be at least 16 characters");
    }
    c.webhook_tolerance = std::chrono::duration_cast<std::chrono::seconds>(env.Duration(
        "PAYMENTS_WEBHOOK_TOLERANCE", std::chrono::minutes(5), std::chrono::seconds(1), std::chrono::hours(24)));
    c.sandbox_webhook_target = env.String("PAYMENTS_SANDBOX_WEBHOOK_TARGET", LoopbackTarget(listen_address));
    return c;
}

}  // namespace marketplace::payments
