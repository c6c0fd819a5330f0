#include <catch2/catch.hpp>

#include <map>

#include <grpcpp/channel.h>
#include <grpcpp/support/validate_service_config.h>
#include <nlohmann/json.hpp>

#include "marketplace/core/config.hpp"
#include "marketplace/rpc/client.hpp"

using namespace marketplace;
using nlohmann::json;

namespace {

core::EnvReader::Lookup From(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace

TEST_CASE("Client: the default service config retries UNAVAILABLE with backoff and is valid for gRPC",
          "[rpc][client]") {
    const std::string config = rpc::ServiceConfigJson(rpc::ChannelOptions{});
    CHECK(grpc::experimental::ValidateServiceConfigJSON(config).empty());
    const auto parsed = json::parse(config);
    const auto& policy = parsed["methodConfig"][0]["retryPolicy"];
    CHECK(parsed["methodConfig"][0]["name"] == json::parse("[{}]"));
    CHECK(policy["maxAttempts"] == 4);
    CHECK(policy["initialBackoff"] == "0.050s");
    CHECK(policy["maxBackoff"] == "1.000s");
    CHECK(policy["backoffMultiplier"].get<double>() == Approx(2.0));
    CHECK(policy["retryableStatusCodes"] == json::parse(R"(["UNAVAILABLE"])"));
    CHECK(parsed["retryThrottling"]["maxTokens"] == 10);
    CHECK(parsed["loadBalancingConfig"][0].contains("round_robin"));
}

TEST_CASE("Client: one attempt means no retry policy at all", "[rpc][client]") {
    rpc::ChannelOptions options;
    options.retry.max_attempts = 1;
    const std::string config = rpc::ServiceConfigJson(options);
    CHECK(grpc::experimental::ValidateServiceConfigJSON(config).empty());
    const auto parsed = json::parse(config);
    CHECK_FALSE(parsed["methodConfig"][0].contains("retryPolicy"));
    CHECK_FALSE(parsed.contains("retryThrottling"));
}

TEST_CASE("Client: a channel is refused when its retry policy names an unknown code", "[rpc][client]") {
    rpc::ChannelOptions options;
    options.retry.retryable_status_codes = {"UNAVAILABLE", "NOT_A_CODE"};
    CHECK_THROWS_AS(rpc::CreateChannel(options), std::invalid_argument);
    options.retry.retryable_status_codes = {"UNAVAILABLE", "RESOURCE_EXHAUSTED"};
    CHECK(rpc::CreateChannel(options) != nullptr);
}

TEST_CASE("Client: channel options come from the environment under the peer's name", "[rpc][client]") {
    core::EnvReader env("", From({{"PAYMENTS_GRPC_TARGET", "dns:///payments:50051"},
                                  {"PAYMENTS_GRPC_MAX_ATTEMPTS", "5"},
                                  {"PAYMENTS_GRPC_INITIAL_BACKOFF", "20ms"},
                                  {"PAYMENTS_GRPC_LOAD_BALANCING", "pick_first"}}));
    const auto options = rpc::ChannelOptions::FromEnv(env, "PAYMENTS", "127.0.0.1:50054");
    env.Finish();
    CHECK(options.target == "dns:///payments:50051");
    CHECK(options.retry.max_attempts == 5);
    CHECK(options.retry.initial_backoff == std::chrono::milliseconds(20));
    CHECK(options.load_balancing == "pick_first");
    CHECK(grpc::experimental::ValidateServiceConfigJSON(rpc::ServiceConfigJson(options)).empty());
}

TEST_CASE("Client: malformed channel settings are reported by name", "[rpc][client]") {
    core::EnvReader env("", From({{"JOBS_GRPC_MAX_ATTEMPTS", "9"}, {"JOBS_GRPC_LOAD_BALANCING", "random"}}));
    rpc::ChannelOptions::FromEnv(env, "JOBS", "127.0.0.1:50052");
    try {
        env.Finish();
        FAIL("expected a ConfigError");
    } catch (const core::ConfigError& e) {
        REQUIRE(e.problems().size() == 2);
        CHECK(std::string(e.what()).find("JOBS_GRPC_MAX_ATTEMPTS") != std::string::npos);
        CHECK(std::string(e.what()).find("JOBS_GRPC_LOAD_BALANCING") != std::string::npos);
    }
}
