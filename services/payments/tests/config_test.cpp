// The payments service's own configuration.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <fstream>

#include <map>
#include <optional>

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

TEST_CASE("Config: the defaults reach the local stack", "[payments][config]") {
    auto env = Env({});
    const auto c = PaymentsConfig::FromEnv(env, "0.0.0.0:7104");
    env.Finish();
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
    auto env = Env({{"PAYMENTS_PLATFORM_FEE_BPS", "250"},
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
    auto env = Env({{"PAYMENTS_PLATFORM_FEE_BPS", "10001"}, {"PAYMENTS_MAX_BATCH_TRANSFERS", "lots"}});
    PaymentsConfig::FromEnv(env, "127.0.0.1:7104");
    try {
        env.Finish();
        FAIL("accepted");
    } catch (const core::ConfigError& e) {
        REQUIRE(e.problems().size() == 2);
        CHECK(e.problems()[0].rfind("PAYMENTS_PLATFORM_FEE_BPS", 0) == 0);
        CHECK(e.problems()[1].rfind("PAYMENTS_MAX_BATCH_TRANSFERS", 0) == 0);
    }
    auto short_secret = Env({{"PAYMENTS_WEBHOOK_SECRET", "short"}});
    CHECK_THROWS_AS(PaymentsConfig::FromEnv(short_secret, "127.0.0.1:7104"), core::ConfigError);
}

TEST_CASE("Config: the sandbox reaches a wildcard listener on the loopback address", "[payments][config]") {
    CHECK(LoopbackTarget("0.0.0.0:7104") == "127.0.0.1:7104");
    CHECK(LoopbackTarget("[::]:7104") == "127.0.0.1:7104");
    CHECK(LoopbackTarget("127.0.0.1:9000") == "127.0.0.1:9000");
    CHECK(LoopbackTarget("payments.internal:7104") == "payments.internal:7104");
}
