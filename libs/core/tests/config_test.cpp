#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <vector>

#include "marketplace/core/config.hpp"

using marketplace::core::ConfigError;
using marketplace::core::EnvReader;

namespace {
EnvReader::Lookup From(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}
}  // namespace

TEST_CASE("Config: defaults apply when nothing is set", "[core][config]") {
    EnvReader env("PAYMENTS_", From({}));
    CHECK(env.String("GRPC_ADDRESS", "127.0.0.1:0") == "127.0.0.1:0");
    CHECK(env.Int("POOL", 8, 1, 64) == 8);
    CHECK(env.Bool("DEBUG", false) == false);
    CHECK(env.Duration("TIMEOUT", std::chrono::seconds(5)) == std::chrono::seconds(5));
    CHECK_NOTHROW(env.Finish());
}

TEST_CASE("Config: typed values parse", "[core][config]") {
    EnvReader env("X_", From({{"X_N", "42"}, {"X_B", "yes"}, {"X_D", "14d"}, {"X_MS", "250"}, {"X_M", "b"}}));
    CHECK(env.Int("N", 0, 0, 100) == 42);
    CHECK(env.Bool("B", false));
    CHECK(env.Duration("D", {}) == std::chrono::hours(24 * 14));
    CHECK(env.Duration("MS", {}) == std::chrono::milliseconds(250));
    CHECK(env.OneOf("M", "a", {"a", "b"}) == "b");
    CHECK_NOTHROW(env.Finish());
}

TEST_CASE("Config: malformed values are all reported, each naming its variable", "[core][config]") {
    EnvReader env("PAYMENTS_", From({{"PAYMENTS_PG_PORT", "fifty"},
                                     {"PAYMENTS_POOL", "0"},
                                     {"PAYMENTS_DEBUG", "maybe"},
                                     {"PAYMENTS_TIMEOUT", "5 parsecs"},
                                     {"PAYMENTS_MODE", "chaos"}}));
    env.Int("PG_PORT", 5432, 1, 65535);
    env.Int("POOL", 8, 1, 64);
    env.Bool("DEBUG", false);
    env.Duration("TIMEOUT", std::chrono::seconds(1));
    env.OneOf("MODE", "live", {"live", "sandbox"});
    env.RequiredString("PROVIDER_SECRET");
    try {
        env.Finish();
        FAIL("Finish accepted malformed configuration");
    } catch (const ConfigError& e) {
        const auto& p = e.problems();
        REQUIRE(p.size() == 6);
        CHECK(p[0] == "PAYMENTS_PG_PORT: must be a whole number, got 'fifty'");
        CHECK(p[1] == "PAYMENTS_POOL: must be within 1..64, got 0");
        CHECK(p[2] == "PAYMENTS_DEBUG: must be true or false, got 'maybe'");
        CHECK(p[3].rfind("PAYMENTS_TIMEOUT: must be a duration", 0) == 0);
        CHECK(p[4] == "PAYMENTS_MODE: must be one of live, sandbox, got 'chaos'");
        CHECK(p[5] == "PAYMENTS_PROVIDER_SECRET: is required but not set");
    }
}

TEST_CASE("Config: a secret comes from NAME_FILE when NAME is not set", "[core][config]") {
    const std::string path = "config_test_secret.txt";
    {
        std::ofstream out(path);
        out << "s3cret\n";
    }
    EnvReader env("", From({{"WEBHOOK_SECRET_FILE", path}, {"MISSING_FILE", "/nonexistent/secret"}}));
    CHECK(env.Secret("WEBHOOK_SECRET", "") == "s3cret");
    env.Secret("MISSING", "");
    CHECK_THROWS_WITH(env.Finish(), "MISSING_FILE: cannot read file '/nonexistent/secret'");
    std::remove(path.c_str());
}

TEST_CASE("Config: a development secret is used only in development mode; otherwise its absence names the variable",
          "[core][config]") {
    {
        EnvReader env("", From({{"MARKETPLACE_DEV_MODE", "1"}}));
        CHECK(env.DevMode());
        CHECK(env.SecretOrDevDefault("WEBHOOK_SECRET", "dev-value") == "dev-value");
        env.Finish();
    }
    {
        EnvReader env("", From({{"MARKETPLACE_DEV_MODE", "1"}, {"WEBHOOK_SECRET", "real"}}));
        CHECK(env.SecretOrDevDefault("WEBHOOK_SECRET", "dev-value") == "real");
        env.Finish();
    }
    for (const auto& vars : std::vector<std::map<std::string, std::string>>{{}, {{"MARKETPLACE_DEV_MODE", "0"}}}) {
        EnvReader env("PAYMENTS_", From(vars));
        CHECK_FALSE(env.DevMode());
        CHECK(env.SecretOrDevDefault("WEBHOOK_SECRET", "dev-value").empty());
        CHECK_THROWS_WITH(env.Finish(), Catch::Matchers::StartsWith("PAYMENTS_WEBHOOK_SECRET: is required"));
    }
    {
        EnvReader env("", From({{"MARKETPLACE_DEV_MODE", "sometimes"}}));
        CHECK_FALSE(env.DevMode());
        CHECK_THROWS_WITH(env.Finish(), "MARKETPLACE_DEV_MODE: must be true or false, got 'sometimes'");
    }
}
