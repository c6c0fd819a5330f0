#pragma once
// The gateway's configuration, from environment variables (defaults reach the local stack):
//
//   GATEWAY_LISTEN                 127.0.0.1:8080     where clients connect
//   GATEWAY_THREADS                2                  HTTP worker threads
//   GATEWAY_MAX_BODY_BYTES         1048576            larger bodies get 413
//   GATEWAY_MAX_HEADER_BYTES       16384              larger header sections get 431
//   GATEWAY_REQUEST_TIMEOUT        10s                a request must arrive within this (408)
//   GATEWAY_IDLE_TIMEOUT           60s                a kept-alive connection may idle this long
//   GATEWAY_MAX_CONNECTIONS        10000              open connections in all; beyond: 503, closed
//   GATEWAY_MAX_CONNECTIONS_PER_ADDRESS  256          open connections from one TCP peer address
//                                                     (trusted proxies exempt); beyond: 429, closed; 0 = off
//   GATEWAY_TRUSTED_PROXIES        (none)             addresses/CIDRs whose X-Forwarded-For is believed
//                                                     (edge/client_address.hpp)
//   GATEWAY_FORWARDING_SECRET / GATEWAY_FORWARDING_SECRET_FILE   sent as x-gateway-secret with the
//                                                     client's address (x-client-address) on every call;
//                                                     auth believes the address only with it  (none)
//   GATEWAY_DRAIN_TIMEOUT          10s                on SIGTERM, requests in flight get this long
//   GATEWAY_UPSTREAM_TIMEOUT       5s                 deadline of every call to a service
//   GATEWAY_HEALTH_TIMEOUT         1s                 deadline of /readyz's health checks
//   GATEWAY_MAX_JSON_DEPTH         32                 deeper request bodies get 400
//   GATEWAY_SERVICES               auth,jobs,contracts,   the services routed (linked packages): the
//                                  payments,notifications, rows of services/registry.tsv marked in
//                                  disputes,workroom,clans its gateway column
//   <NAME>_GRPC_TARGET             127.0.0.1:7101..7105 (auth, jobs, contracts, payments, notifications),
//                                  127.0.0.1:7107 (disputes), 127.0.0.1:7108 (workroom),
//                                  127.0.0.1:7109 (clans): each row's grpc port
//                                  (and the other <NAME>_GRPC_* channel options of libs/rpc)
//   GATEWAY_CORS_ORIGINS           (none)             comma-separated allowed origins, or *
//   GATEWAY_RATE_LIMIT_IP_RPS      100, GATEWAY_RATE_LIMIT_IP_BURST 200     per source address; 0 = off
//   GATEWAY_RATE_LIMIT_USER_RPS    50,  GATEWAY_RATE_LIMIT_USER_BURST 100   per token subject; 0 = off
//   GATEWAY_WEBHOOK_PROVIDERS      sandbox            providers accepted by /webhooks/payments/{provider}
//   GATEWAY_WEBHOOK_SIGNATURE_HEADER  X-Signature
// WebSockets (the server-streaming routes; ws/):
//   GATEWAY_WS_MAX_CONNECTIONS     10000              open WebSockets in all; beyond: 503
//   GATEWAY_WS_MAX_PER_USER        16                 open WebSockets of one user; beyond: 429
//   GATEWAY_WS_IDLE_TIMEOUT        60s                nothing from the client (pongs count) this long
//                                                     closes it; a ping goes out at half of it
//   GATEWAY_WS_HANDSHAKE_TIMEOUT   10s                opening and closing handshakes
//   GATEWAY_WS_MAX_QUEUED_MESSAGES 256, GATEWAY_WS_MAX_QUEUED_BYTES 1048576   per connection;
//                                                     when full, the feed waits for the client
//   GATEWAY_WS_SEND_TIMEOUT        10s                a client whose queue stays full this long is
//                                                     closed (1008)
//   GATEWAY_WS_MAX_INBOUND_BYTES   1024               largest message a client may send (it sends
//                                                     only control frames); larger: closed (1009)
// Tokens are verified with the JWKS of the auth service at AUTH_GRPC_TARGET, fetched (with the
// session revocations) by a background thread every AUTH_TOKEN_REFRESH (5s), each fetch bounded by
// AUTH_JWKS_TIMEOUT (2s); the I/O threads never wait for auth.
#include <chrono>
#include <string>
#include <vector>

#include "edge/client_address.hpp"
#include "edge/cors.hpp"
#include "edge/rate_limiter.hpp"
#include "http/server.hpp"
#include "marketplace/rpc/client.hpp"
#include "transcode/webhook.hpp"
#include "ws/ws_options.hpp"

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
    std::chrono::milliseconds token_refresh{5000};
    std::chrono::milliseconds jwks_timeout{2000};
    std::chrono::milliseconds upstream_timeout{5'000};
    std::chrono::milliseconds health_timeout{1'000};
    int max_json_depth = 32;
    TrustedProxies trusted_proxies;
    std::string forwarding_secret;
    TokenBucketOptions ip_limit{100, 200};
    TokenBucketOptions user_limit{50, 100};
    CorsOptions cors;
    WebhookOptions webhook;
    WebSocketOptions websocket;

    /// Reads every variable above; problems are recorded on `env` (call env.Finish()).
    static GatewayConfig FromEnv(core::EnvReader& env);
};

/// "a, b,,c" -> {"a","b","c"}.
std::vector<std::string> SplitList(const std::string& text);

}  // namespace marketplace::gateway
