#include "config.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "marketplace/core/config.hpp"
#include "registry_defaults.hpp"
#include "routing/linked_protos.hpp"

namespace marketplace::gateway {
namespace {

const std::map<std::string, std::string>& DefaultTargets() {
    static const std::map<std::string, std::string> kTargets = [] {
        std::map<std::string, std::string> targets;
        for (const auto& [name, port] : kRegistryPorts) targets[name] = "127.0.0.1:" + std::to_string(port);
        return targets;
    }();
    return kTargets;
}

std::string Upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

bool IsOrigin(const std::string& origin) {
    if (origin == "*") return true;
    const auto scheme_end = origin.find("://");
    if (scheme_end == std::string::npos) return false;
    const std::string scheme = origin.substr(0, scheme_end);
    const std::string host = origin.substr(scheme_end + 3);
    return (scheme == "http" || scheme == "https") && !host.empty() && host.find('/') == std::string::npos;
}

TokenBucketOptions Limit(core::EnvReader& env, const std::string& prefix, std::int64_t rps, std::int64_t burst) {
    TokenBucketOptions options;
    options.rate_per_second = static_cast<double>(env.Int(prefix + "_RPS", rps, 0, 1'000'000));
    options.burst = static_cast<double>(env.Int(prefix + "_BURST", burst, 1, 10'000'000));
    return options;
}

}  // namespace

std::vector<std::string> SplitList(const std::string& text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        std::string item = text.substr(start, comma - start);
        const auto first = item.find_first_not_of(" \t");
        const auto last = item.find_last_not_of(" \t");
        if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
        start = comma + 1;
    }
    return items;
}

GatewayConfig GatewayConfig::FromEnv(core::EnvReader& env) {
    GatewayConfig c;
    c.http.listen_address = env.String("GATEWAY_LISTEN", "127.0.0.1:8080");
    try {
        SplitHostPort(c.http.listen_address);
    } catch (const std::invalid_argument& e) {
        env.Reject("GATEWAY_LISTEN", e.what());
    }
    c.http.threads = static_cast<int>(env.Int("GATEWAY_THREADS", 2, 1, 256));
    c.http.limits.max_body_bytes =
        static_cast<std::size_t>(env.Int("GATEWAY_MAX_BODY_BYTES", 1024 * 1024, 0, 1024LL * 1024 * 1024));
    c.http.limits.max_header_bytes =
        static_cast<std::size_t>(env.Int("GATEWAY_MAX_HEADER_BYTES", 16 * 1024, 1024, 1024 * 1024));
    c.http.limits.request_timeout = env.Duration("GATEWAY_REQUEST_TIMEOUT", std::chrono::seconds(10),
                                                 std::chrono::milliseconds(1), std::chrono::hours(1));
    c.http.limits.idle_timeout = env.Duration("GATEWAY_IDLE_TIMEOUT", std::chrono::seconds(60),
                                              std::chrono::milliseconds(1), std::chrono::hours(24));
    c.http.limits.max_connections = static_cast<std::size_t>(env.Int("GATEWAY_MAX_CONNECTIONS", 10'000, 1, 1'000'000));
    c.http.limits.max_connections_per_address =
        static_cast<std::size_t>(env.Int("GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", 256, 0, 1'000'000));
    try {
        c.trusted_proxies = TrustedProxies::Parse(SplitList(env.String("GATEWAY_TRUSTED_PROXIES", "")));
    } catch (const std::invalid_argument& e) {
        env.Reject("GATEWAY_TRUSTED_PROXIES", e.what());
    }
    c.forwarding_secret = env.Secret("GATEWAY_FORWARDING_SECRET", "");
    if (!c.forwarding_secret.empty() &&
        (c.forwarding_secret.size() < 16 || std::any_of(c.forwarding_secret.begin(), c.forwarding_secret.end(),
                                                        [](char ch) { return ch < 0x21 || ch > 0x7E; }))) {
        env.Reject("GATEWAY_FORWARDING_SECRET", "must be at least 16 printable ASCII characters, no spaces");
    }
    c.http.drain_timeout = env.Duration("GATEWAY_DRAIN_TIMEOUT", std::chrono::seconds(10));
    c.upstream_timeout = env.Duration("GATEWAY_UPSTREAM_TIMEOUT", std::chrono::seconds(5), std::chrono::milliseconds(1),
                                      std::chrono::hours(1));
    c.health_timeout = env.Duration("GATEWAY_HEALTH_TIMEOUT", std::chrono::seconds(1), std::chrono::milliseconds(1),
                                    std::chrono::minutes(1));
    c.max_json_depth = static_cast<int>(env.Int("GATEWAY_MAX_JSON_DEPTH", 32, 1, 100));

    std::vector<std::string> linked;
    for (const auto& package : LinkedProtoPackages()) linked.push_back(package.name);
    std::string linked_list;
    for (const auto& name : linked) linked_list += (linked_list.empty() ? "" : ", ") + name;
    const auto services = SplitList(env.String("GATEWAY_SERVICES", kRegistryServices));
    if (services.empty()) env.Reject("GATEWAY_SERVICES", "must name at least one service");
    for (const auto& name : services) {
        if (std::find(linked.begin(), linked.end(), name) == linked.end()) {
            env.Reject("GATEWAY_SERVICES", "unknown service '" + name + "' (linked: " + linked_list + ")");
            continue;
        }
        if (std::any_of(c.upstreams.begin(), c.upstreams.end(), [&](const auto& u) { return u.name == name; })) {
            env.Reject("GATEWAY_SERVICES", "'" + name + "' is listed twice");
            continue;
        }
        const auto target = DefaultTargets().find(name);
        UpstreamConfig upstream{name, rpc::ChannelOptions::FromEnv(
                                          env, Upper(name), target == DefaultTargets().end() ? "" : target->second)};
        if (upstream.channel.target.empty()) env.Reject(Upper(name) + "_GRPC_TARGET", "is required");
        c.upstreams.push_back(std::move(upstream));
    }
    c.auth_channel = rpc::ChannelOptions::FromEnv(env, "AUTH", DefaultTargets().at("auth"));
    c.token_refresh =
        env.Duration("AUTH_TOKEN_REFRESH", c.token_refresh, std::chrono::milliseconds(100), std::chrono::minutes(5));
    c.jwks_timeout =
        env.Duration("AUTH_JWKS_TIMEOUT", c.jwks_timeout, std::chrono::milliseconds(100), std::chrono::minutes(2));

    for (const auto& origin : SplitList(env.String("GATEWAY_CORS_ORIGINS", ""))) {
        if (!IsOrigin(origin)) {
            env.Reject("GATEWAY_CORS_ORIGINS", "'" + origin + "' is not an origin (scheme://host[:port]) or *");
        }
        c.cors.allowed_origins.push_back(origin);
    }
    c.ip_limit = Limit(env, "GATEWAY_RATE_LIMIT_IP", 100, 200);
    c.user_limit = Limit(env, "GATEWAY_RATE_LIMIT_USER", 50, 100);
    c.webhook.providers = SplitList(env.String("GATEWAY_WEBHOOK_PROVIDERS", "sandbox"));
    c.webhook.signature_header = env.String("GATEWAY_WEBHOOK_SIGNATURE_HEADER", "X-Signature");
    if (c.webhook.signature_header.empty()) env.Reject("GATEWAY_WEBHOOK_SIGNATURE_HEADER", "must not be empty");

    auto& ws = c.websocket;
    ws.max_connections = static_cast<std::size_t>(env.Int("GATEWAY_WS_MAX_CONNECTIONS", 10'000, 1, 1'000'000));
    ws.max_per_user = static_cast<std::size_t>(env.Int("GATEWAY_WS_MAX_PER_USER", 16, 1, 10'000));
    ws.idle_timeout = env.Duration("GATEWAY_WS_IDLE_TIMEOUT", std::chrono::seconds(60), std::chrono::seconds(1),
                                   std::chrono::hours(1));
    ws.handshake_timeout = env.Duration("GATEWAY_WS_HANDSHAKE_TIMEOUT", std::chrono::seconds(10),
                                        std::chrono::milliseconds(100), std::chrono::minutes(5));
    ws.max_queued_messages = static_cast<std::size_t>(env.Int("GATEWAY_WS_MAX_QUEUED_MESSAGES", 256, 1, 100'000));
    ws.max_queued_bytes =
        static_cast<std::size_t>(env.Int("GATEWAY_WS_MAX_QUEUED_BYTES", 1024 * 1024, 1024, 256LL * 1024 * 1024));
    ws.send_timeout = env.Duration("GATEWAY_WS_SEND_TIMEOUT", std::chrono::seconds(10), std::chrono::milliseconds(10),
                                   std::chrono::hours(1));
    ws.max_inbound_bytes = static_cast<std::size_t>(env.Int("GATEWAY_WS_MAX_INBOUND_BYTES", 1024, 125, 1024 * 1024));
    return c;
}

}  // namespace marketplace::gateway
