// Outside development mode a service never starts on a well-known secret or the sandbox payment
// provider: each binary, started as an operator would with the variable missing, exits non-zero
// before it touches a database, and its message names the variable. The binaries run through
// env(1) with the variables removed, so whatever the test runner's environment holds, they are
// really absent.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "marketplace/testing/process.hpp"

using namespace std::chrono_literals;
using marketplace::testing::RunToCompletion;

namespace {

struct Outcome {
    int status = 0;
    std::string output;
};

/// Runs `binary` without the variables in `unset` (those `env` sets aside), with `env` set, to its end.
Outcome Start(const std::string& binary, const std::vector<std::string>& unset,
              const std::map<std::string, std::string>& env) {
    std::vector<std::string> argv{"/usr/bin/env"};
    for (const auto& name : unset) {
        if (env.count(name) > 0) continue;  // set below: env(1) would remove it again
        argv.push_back("-u");
        argv.push_back(name);
    }
    argv.push_back(binary);
    std::map<std::string, std::string> all{// Nothing here may be reached: the configuration must stop it first.
                                           {"KAFKA_BOOTSTRAP", "127.0.0.1:9"},
                                           {"PG_HOST", "127.0.0.1"},
                                           {"PG_PORT", "9"},
                                           {"GRPC_LISTEN", "127.0.0.1:0"},
                                           {"METRICS_LISTEN", "127.0.0.1:0"}};
    for (const auto& [k, v] : env) all[k] = v;
    Outcome o;
    o.status = RunToCompletion(argv, all, 30s, &o.output);
    return o;
}

const std::vector<std::string> kSecretsAndFlags{"MARKETPLACE_DEV_MODE",
                                                "PG_PASSWORD",
                                                "PG_PASSWORD_FILE",
                                                "PAYMENTS_PROVIDER",
                                                "PAYMENTS_WEBHOOK_SECRET",
                                                "PAYMENTS_WEBHOOK_SECRET_FILE",
                                                "AUTH_ADMIN_EMAIL",
                                                "AUTH_ADMIN_PASSWORD",
                                                "AUTH_ADMIN_PASSWORD_FILE",
                                                "MARKETPLACE_CLOCK_OFFSET_FILE",
                                                "AUTH_SEED_KEY",
                                                "AUTH_SEED_KEY_FILE"};

}  // namespace

TEST_CASE("Config refusals: without PG_PASSWORD outside development mode, every service exits naming it",
          "[config][process]") {
    const std::vector<std::pair<std::string, std::string>> services{{"auth", AUTH_SERVICE_BIN},
                                                                    {"jobs", JOBS_SERVICE_BIN},
                                                                    {"contracts", CONTRACTS_SERVICE_BIN},
                                                                    {"payments", PAYMENTS_SERVICE_BIN},
                                                                    {"notifications", NOTIFICATIONS_SERVICE_BIN}};
    for (const auto& [name, binary] : services) {
        // payments's own settings are valid, so PG_PASSWORD is what stops it.
        const auto o = Start(binary, kSecretsAndFlags, {{"PAYMENTS_WEBHOOK_SECRET", "a-real-webhook-secret-0123"}});
        INFO(name << " exited " << o.status << ":\n" << o.output);
        CHECK(o.status != 0);
        CHECK_THAT(o.output, Catch::Contains("PG_PASSWORD: is required"));
    }
}

TEST_CASE("Config refusals: auth without a seed key outside development mode exits naming AUTH_SEED_KEY",
          "[config][process]") {
    const auto o = Start(AUTH_SERVICE_BIN, kSecretsAndFlags, {{"PG_PASSWORD", "a-real-database-password"}});
    INFO("auth exited " << o.status << ":\n" << o.output);
    CHECK(o.status != 0);
    CHECK_THAT(o.output, Catch::Contains("AUTH_SEED_KEY: is required (or AUTH_SEED_KEY_FILE)"));
    // A malformed key is refused too, naming the variable and the rule.
    const auto bad = Start(AUTH_SERVICE_BIN, kSecretsAndFlags,
                           {{"PG_PASSWORD", "a-real-database-password"}, {"AUTH_SEED_KEY", "not-hex"}});
    INFO("auth exited " << bad.status << ":\n" << bad.output);
    CHECK(bad.status != 0);
    CHECK_THAT(bad.output, Catch::Contains("AUTH_SEED_KEY: must be 32 bytes as 64 hex digits"));
}

TEST_CASE("Config refusals: payments without a webhook secret outside development mode exits naming it",
          "[config][process][payments]") {
    const auto o = Start(PAYMENTS_SERVICE_BIN, kSecretsAndFlags, {{"PG_PASSWORD", "a-database-password"}});
    INFO("payments exited " << o.status << ":\n" << o.output);
    CHECK(o.status != 0);
    CHECK_THAT(o.output, Catch::Contains("PAYMENTS_WEBHOOK_SECRET: is required"));
    CHECK_THAT(o.output, Catch::Contains("PAYMENTS_PROVIDER: is required"));
}

TEST_CASE("Config refusals: payments refuses the sandbox provider without the development flag",
          "[config][process][payments]") {
    // A production configuration: every secret given, the sandbox asked for, no development flag.
    for (const std::string& flag : std::vector<std::string>{"", "0"}) {
        std::map<std::string, std::string> env{{"PG_PASSWORD", "a-database-password"},
                                               {"PAYMENTS_WEBHOOK_SECRET", "a-real-webhook-secret-0123"},
                                               {"PAYMENTS_PROVIDER", "sandbox"}};
        if (!flag.empty()) env["MARKETPLACE_DEV_MODE"] = flag;
        const auto o = Start(PAYMENTS_SERVICE_BIN, kSecretsAndFlags, env);
        INFO("MARKETPLACE_DEV_MODE='" << flag << "': payments exited " << o.status << ":\n" << o.output);
        CHECK(o.status != 0);
        CHECK_THAT(o.output, Catch::Contains("PAYMENTS_PROVIDER: 'sandbox'"));
        CHECK_THAT(o.output, Catch::Contains("MARKETPLACE_DEV_MODE=1"));
    }
}

TEST_CASE("Config refusals: payments with no provider named exits naming PAYMENTS_PROVIDER, even in development mode",
          "[config][process][payments]") {
    const auto o = Start(PAYMENTS_SERVICE_BIN, kSecretsAndFlags, {{"MARKETPLACE_DEV_MODE", "1"}});
    INFO("payments exited " << o.status << ":\n" << o.output);
    CHECK(o.status != 0);
    CHECK_THAT(o.output, Catch::Contains("PAYMENTS_PROVIDER: is required"));
    // In development mode the well-known secrets stand in: only the provider is missing.
    CHECK_THAT(o.output, !Catch::Contains("PG_PASSWORD"));
    CHECK_THAT(o.output, !Catch::Contains("PAYMENTS_WEBHOOK_SECRET"));
}
