#pragma once
// The gateway's configuration, from environment variables (defaults reach the local stack):
//
//   GATEWAY_LISTEN                 127.0.0.1:8080     where clients connect
//   GATEWAY_THREADS                2                  HTTP worker threads
//   GATEWAY_MAX_BODY_BYTES         1048576            larger bodies get 413
//   GATEWAY_MAX_HEADER_BYTES       16384              larger header sections get 431
//   GATEWAY_REQUEST_TIMEOUT        10s                a request must arrive within this (408)
//   GATEWAY_IDLE_TIMEOUT           60s                a kept-alive connection may idle this long
//   GATEWAY_MAX_CONNECTIONS        10000
//   GATEWAY_DRAIN_TIMEOUT          10s                on SIGTERM, requests in flight get this long
//   GATEWAY_UPSTREAM_TIMEOUT       5s                 deadline of every call to a service
//   GATEWAY_HEALTH_TIMEOUT         1s                 deadline of /readyz's health checks
//   GATEWAY_MAX_JSON_DEPTH         32                 deeper request bodies get 400
//   GATEWAY_SERVICES               auth,jobs,contracts,payments   the services routed (linked packages)
//   <NAME>_GRPC_TARGET             127.0.0.1:7101..7104 (auth, jobs, contracts, payments)
//                                  (and the other <NAME>_GRPC_* channel options of libs/rpc)
//   GATEWAY_CORS_ORIGINS           (none)             comma-separated allowed origins, or *
//   GATEWAY_RATE_LIMIT_IP_RPS      100, GATEWAY_RATE_LIMIT_IP_BURST 200     per source address; 0 = off
//   GATEWAY_RATE_LIMIT_USER_RPS    50,  GATEWAY_RATE_LIMIT_USER_BURST 100   per token subject; 0 = off
//   GATEWAY_WEBHOOK_PROVIDERS      sandbox            providers accepted by /webhooks/payments/{provider}
//   GATEWAY_WEBHOOK_SIGNATURE_HEADER  X-Signature
// Tokens are verified with the JWKS of the auth service at AUTH_GRPC_TARGET.
#include <chrono>
#include <string>
#include <vector>

#include "edge/cors.hpp"
#include "edge/rate_limiter.hpp"
#include "http/server.hpp"
#include "marketplace/rpc/client.hpp"
#include "transcode/webhook.hpp"

namespace marketplace::core {
class EnvReader;
}  // namespace marketplace::core

namespace marketplace::gateway {

struct UpstreamConfig {
    std::string name;  // the linked proto package: "jobs"
    rpc::ChannelOptions channel;
};

struct GatewayConfig {
    HttpServerOptions http;
    std::vector<UpstreamConfig> upstreams;
    rpc::ChannelOptions auth_channel;  // where the JWKS comes from
    std::chrono::milliseconds upstream_timeout{5'000};
    std::chrono::milliseconds health_timeout{1'000};
    int max_json_depth = 32;
    TokenBucketOptions ip_limit{100, 200};
    TokenBucketOptions user_limit{50, 100};
    CorsOptions cors;
    WebhookOptions webhook;

    /// Reads every variable above; problems are recorded on `env` (call env.Finish()).
    static GatewayConfig FromEnv(core::EnvReader& env);
};

/// "a, b,,c" -> {"a","b","c"}.
std::vector<std::string> SplitList(const std::string& text);

}  // namespace marketplace::gateway
