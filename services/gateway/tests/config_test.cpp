#include <catch2/catch.hpp>

#include <map>

#include "config.hpp"
#include "marketplace/core/config.hpp"

using namespace marketplace;
using namespace marketplace::gateway;

namespace {

core::EnvReader Env(std::map<std::string, std::string> vars) {
    return core::EnvReader("", [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    });
}

std::string Problems(std::map<std::string, std::string> vars) {
    auto env = Env(std::move(vars));
    GatewayConfig::FromEnv(env);
    try {
        env.Finish();
    } catch (const core::ConfigError& e) {
        std::string all;
        for (const auto& p : e.problems()) all += p + "\n";
        return all;
    }
    return "";
}

}  // namespace

TEST_CASE("Config: the defaults reach the local stack", "[gateway][unit]") {
    auto env = Env({});
    const auto c = GatewayConfig::FromEnv(env);
    env.Finish();
    CHECK(c.http.listen_address == "127.0.0.1:8080");
    CHECK(c.http.limits.max_body_bytes == 1024 * 1024);
    REQUIRE(c.upstreams.size() == 8);
    CHECK(c.upstreams[0].name == "auth");
    CHECK(c.upstreams[0].channel.target == "127.0.0.1:7101");
    CHECK(c.upstreams[1].channel.target == "127.0.0.1:7102");
    CHECK(c.upstreams[2].channel.target == "127.0.0.1:7103");
    CHECK(c.upstreams[3].channel.target == "127.0.0.1:7104");
    CHECK(c.upstreams[4].name == "notifications");
    CHECK(c.upstreams[4].channel.target == "127.0.0.1:7105");
    CHECK(c.upstreams[5].name == "disputes");
    CHECK(c.upstreams[5].channel.target == "127.0.0.1:7107");
    CHECK(c.upstreams[6].name == "workroom");
    CHECK(c.upstreams[6].channel.target == "127.0.0.1:7108");
    CHECK(c.upstreams[7].name == "clans");
    CHECK(c.upstreams[7].channel.target == "127.0.0.1:7109");
    CHECK(c.websocket.max_connections == 10'000);
    CHECK(c.websocket.max_per_user == 16);
    CHECK(c.websocket.idle_timeout == std::chrono::seconds(60));
    CHECK(c.websocket.max_queued_messages == 256);
    CHECK(c.websocket.send_timeout == std::chrono::seconds(10));
    CHECK(c.websocket.max_inbound_bytes == 1024);
    CHECK(c.auth_channel.target == "127.0.0.1:7101");
    CHECK(c.cors.allowed_origins.empty());
    CHECK(c.webhook.providers == std::vector<std::string>{"sandbox"});
}

TEST_CASE("Config: variables override, lists are split and trimmed", "[gateway][unit]") {
    auto env = Env({{"GATEWAY_LISTEN", "127.0.0.1:9000"},
                    {"GATEWAY_SERVICES", " jobs , payments"},
                    {"JOBS_GRPC_TARGET", "10.0.0.2:7102"},
                    {"GATEWAY_MAX_BODY_BYTES", "2048"},
                    {"GATEWAY_REQUEST_TIMEOUT", "3s"},
                    {"GATEWAY_CORS_ORIGINS", "https://app.example.com, http://localhost:3000"},
                    {"GATEWAY_RATE_LIMIT_IP_RPS", "0"}});
    const auto c = GatewayConfig::FromEnv(env);
    env.Finish();
    CHECK(c.http.listen_address == "127.0.0.1:9000");
    REQUIRE(c.upstreams.size() == 2);
    CHECK(c.upstreams[0].channel.target == "10.0.0.2:7102");
    CHECK(c.http.limits.max_body_bytes == 2048);
    CHECK(c.http.limits.request_timeout == std::chrono::seconds(3));
    CHECK(c.cors.allowed_origins == std::vector<std::string>{"https://app.example.com", "http://localhost:3000"});
    CHECK(c.ip_limit.rate_per_second == 0);
}

TEST_CASE("Config: every problem is reported, naming its variable", "[gateway][unit]") {
    const auto problems = Problems({{"GATEWAY_LISTEN", "localhost"},
                                    {"GATEWAY_SERVICES", "jobs,clan,jobs"},
                                    {"GATEWAY_MAX_BODY_BYTES", "lots"},
                                    {"GATEWAY_CORS_ORIGINS", "app.example.com"},
                                    {"GATEWAY_RATE_LIMIT_USER_BURST", "0"}});
    CHECK_THAT(problems, Catch::Contains("GATEWAY_LISTEN"));
    CHECK_THAT(problems, Catch::Contains("GATEWAY_SERVICES: unknown service 'clan'"));
    CHECK_THAT(problems, Catch::Contains("'jobs' is listed twice"));
    CHECK_THAT(problems, Catch::Contains("GATEWAY_MAX_BODY_BYTES"));
    CHECK_THAT(problems, Catch::Contains("GATEWAY_CORS_ORIGINS"));
    CHECK_THAT(problems, Catch::Contains("GATEWAY_RATE_LIMIT_USER_BURST"));
    CHECK(Problems({{"GATEWAY_SERVICES", ""}}).find("GATEWAY_SERVICES") != std::string::npos);
}

TEST_CASE("Config: the WebSocket limits are read and checked", "[gateway][unit]") {
    auto env = Env({{"GATEWAY_WS_MAX_CONNECTIONS", "50"},
                    {"GATEWAY_WS_MAX_PER_USER", "2"},
                    {"GATEWAY_WS_IDLE_TIMEOUT", "20s"},
                    {"NOTIFICATIONS_GRPC_TARGET", "10.0.0.5:7105"}});
    const auto c = GatewayConfig::FromEnv(env);
    env.Finish();
    CHECK(c.websocket.max_connections == 50);
    CHECK(c.websocket.max_per_user == 2);
    CHECK(c.websocket.idle_timeout == std::chrono::seconds(20));
    CHECK(c.upstreams[4].channel.target == "10.0.0.5:7105");

    const auto problems = Problems({{"GATEWAY_WS_MAX_PER_USER", "0"}, {"GATEWAY_WS_MAX_QUEUED_BYTES", "many"}});
    CHECK_THAT(problems, Catch::Contains("GATEWAY_WS_MAX_PER_USER"));
    CHECK_THAT(problems, Catch::Contains("GATEWAY_WS_MAX_QUEUED_BYTES"));
}

TEST_CASE("Config: trusted proxies, the forwarding secret and the per-address connection cap", "[gateway][unit]") {
    auto defaults_env = Env({});
    const auto defaults = GatewayConfig::FromEnv(defaults_env);
    defaults_env.Finish();
    CHECK(defaults.trusted_proxies.empty());
    CHECK(defaults.forwarding_secret.empty());
    CHECK(defaults.http.limits.max_connections_per_address == 256);

    auto env = Env({{"GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7"},
                    {"GATEWAY_FORWARDING_SECRET", "0123456789abcdef0123"},
                    {"GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", "8"}});
    const auto c = GatewayConfig::FromEnv(env);
    env.Finish();
    CHECK(c.trusted_proxies.Contains("10.20.30.40"));
    CHECK(c.trusted_proxies.Contains("192.0.2.7"));
    CHECK_FALSE(c.trusted_proxies.Contains("192.0.2.8"));
    CHECK(c.forwarding_secret == "0123456789abcdef0123");
    CHECK(c.http.limits.max_connections_per_address == 8);

    const auto problems =
        Problems({{"GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, lb.internal"}, {"GATEWAY_FORWARDING_SECRET", "short"}});
    CHECK_THAT(problems, Catch::Contains("GATEWAY_TRUSTED_PROXIES: 'lb.internal'"));
    CHECK_THAT(problems, Catch::Contains("GATEWAY_FORWARDING_SECRET"));
}
