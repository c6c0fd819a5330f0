// The payments service's own configuration.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <fstream>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "marketplace/core/config.hpp"

using namespace marketplace;
using namespace marketplace::payments;

namespace {

core::EnvReader Env(std::map<std::string, std::string> vars) {
    return core::EnvReader("", [vars](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    });
}

}  // namespace

TEST_CASE("Config: the defaults reach the local stack in development mode with the sandbox", "[payments][config]") {
    auto env = Env({{"MARKETPLACE_DEV_MODE", "1"}, {"PAYMENTS_PROVIDER", "sandbox"}});
    const auto c = PaymentsConfig::FromEnv(env, "0.0.0.0:7104");
    env.Finish();
    CHECK(c.provider == "sandbox");
    CHECK(c.dev_mode);
    CHECK(c.platform_fee_bps == 1000);
    CHECK(c.fee_shards == 16);
    CHECK(c.max_batch_transfers == 8000);
    CHECK(c.webhook_secret == kDevWebhookSecret);
    CHECK(c.webhook_tolerance == std::chrono::seconds(300));
    CHECK(c.sandbox_webhook_target == "127.0.0.1:7104");
}

TEST_CASE("Config: variables override the defaults, the secret may come from a file", "[payments][config]") {
    const std::string path = "/tmp/payments-config-test-secret-" + std::to_string(::getpid());
    std::ofstream(path) << "a-secret-from-a-mounted-file\n";
    auto env = Env({{"MARKETPLACE_DEV_MODE", "1"},
                    {"PAYMENTS_PROVIDER", "sandbox"},
                    {"PAYMENTS_PLATFORM_FEE_BPS", "250"},
                    {"PAYMENTS_FEE_SHARDS", "4"},
                    {"PAYMENTS_WEBHOOK_SECRET_FILE", path},
                    {"PAYMENTS_WEBHOOK_TOLERANCE", "2m"},
                    {"PAYMENTS_SANDBOX_WEBHOOK_TARGET", "payments:7104"}});
    const auto c = PaymentsConfig::FromEnv(env, "127.0.0.1:7104");
    env.Finish();
    std::remove(path.c_str());
    CHECK(c.platform_fee_bps == 250);
    CHECK(c.fee_shards == 4);
    CHECK(c.webhook_secret == "a-secret-from-a-mounted-file");
    CHECK(c.webhook_tolerance == std::chrono::seconds(120));
    CHECK(c.sandbox_webhook_target == "payments:7104");
}

TEST_CASE("Config: bad values are reported naming the variable", "[payments][config]") {
    auto env = Env({{"MARKETPLACE_DEV_MODE", "1"},
                    {"PAYMENTS_PROVIDER", "sandbox"},
                    {"PAYMENTS_PLATFORM_FEE_BPS", "10001"},
                    {"PAYMENTS_MAX_BATCH_TRANSFERS", "lots"}});
    PaymentsConfig::FromEnv(env, "127.0.0.1:7104");
    try {
        env.Finish();
        FAIL("accepted");
    } catch (const core::ConfigError& e) {
        REQUIRE(e.problems().size() == 2);
        CHECK(e.problems()[0].rfind("PAYMENTS_PLATFORM_FEE_BPS", 0) == 0);
        CHECK(e.problems()[1].rfind("PAYMENTS_MAX_BATCH_TRANSFERS", 0) == 0);
    }
    auto short_secret =
        Env({{"MARKETPLACE_DEV_MODE", "1"}, {"PAYMENTS_PROVIDER", "sandbox"}, {"PAYMENTS_WEBHOOK_SECRET", "short"}});
    PaymentsConfig::FromEnv(short_secret, "127.0.0.1:7104");
    CHECK_THROWS_WITH(short_secret.Finish(), "PAYMENTS_WEBHOOK_SECRET: must be at least 16 characters");
}

namespace {

/// The problems FromEnv reports for `vars`, each "VARIABLE: rule".
std::vector<std::string> Problems(std::map<std::string, std::string> vars) {
    auto env = Env(std::move(vars));
    PaymentsConfig::FromEnv(env, "127.0.0.1:7104");
    try {
        env.Finish();
    } catch (const core::ConfigError& e) {
        return e.problems();
    }
    return {};
}

bool Names(const std::vector<std::string>& problems, const std::string& variable, const std::string& words) {
    for (const auto& p : problems) {
        if (p.rfind(variable + ": ", 0) == 0 && p.find(words) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("Config: the sandbox provider runs only when chosen explicitly in development mode", "[payments][config]") {
    const std::string secret = "a-real-webhook-secret-0123456789";
    // Nothing chosen, in either mode: refused, naming the variable.
    CHECK(Names(Problems({{"PAYMENTS_WEBHOOK_SECRET", secret}}), "PAYMENTS_PROVIDER", "is required"));
    CHECK(Names(Problems({{"MARKETPLACE_DEV_MODE", "1"}}), "PAYMENTS_PROVIDER", "is required"));
    // The sandbox without the development flag (a production configuration): refused.
    for (const std::string& off : std::vector<std::string>{"", "0", "false"}) {
        std::map<std::string, std::string> vars{{"PAYMENTS_PROVIDER", "sandbox"}, {"PAYMENTS_WEBHOOK_SECRET", secret}};
        if (!off.empty()) vars["MARKETPLACE_DEV_MODE"] = off;
        const auto problems = Problems(vars);
        INFO("MARKETPLACE_DEV_MODE='" << off << "'");
        REQUIRE(problems.size() == 1);
        CHECK(Names(problems, "PAYMENTS_PROVIDER", "MARKETPLACE_DEV_MODE=1"));
    }
    // A provider this build does not have: refused, whatever the mode.
    CHECK(Names(Problems({{"MARKETPLACE_DEV_MODE", "1"}, {"PAYMENTS_PROVIDER", "stripe"}}), "PAYMENTS_PROVIDER",
                "unknown provider 'stripe'"));
    // Chosen with the flag: accepted.
    CHECK(Problems({{"MARKETPLACE_DEV_MODE", "1"}, {"PAYMENTS_PROVIDER", "sandbox"}}).empty());
}

TEST_CASE("Config: outside development mode the webhook secret has no well-known fallback", "[payments][config]") {
    const auto problems = Problems({{"PAYMENTS_PROVIDER", "sandbox"}});
    CHECK(Names(problems, "PAYMENTS_WEBHOOK_SECRET", "is required"));
    CHECK(Names(Problems({{"PAYMENTS_WEBHOOK_SECRET", ""}}), "PAYMENTS_WEBHOOK_SECRET", "must not be empty"));

    auto dev = Env({{"MARKETPLACE_DEV_MODE", "1"}, {"PAYMENTS_PROVIDER", "sandbox"}});
    CHECK(PaymentsConfig::FromEnv(dev, "127.0.0.1:7104").webhook_secret == kDevWebhookSecret);
    dev.Finish();
}

TEST_CASE("Config: the sandbox reaches a wildcard listener on the loopback address", "[payments][config]") {
    CHECK(LoopbackTarget("0.0.0.0:7104") == "127.0.0.1:7104");
    CHECK(LoopbackTarget("[::]:7104") == "127.0.0.1:7104");
    CHECK(LoopbackTarget("127.0.0.1:9000") == "127.0.0.1:9000");
    CHECK(LoopbackTarget("payments.internal:7104") == "payments.internal:7104");
}
