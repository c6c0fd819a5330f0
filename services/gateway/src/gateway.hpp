#pragma once
// The gateway: the HTTP server, the route table built from the linked services' descriptors, the
// upstream channels, and the edge duties in the order a request meets them:
//
//   ids (X-Request-Id, traceparent) -> target checks -> probes (/healthz, /readyz) -> the client's
//   address (edge/client_address.hpp) -> per-address rate limit -> CORS preflight -> /openapi.json | webhook |
//   file download (/v1/files/{token}, raw bytes) | GitHub webhook (/webhooks/github/{link_id}) | route
//   lookup (404/405)
//   -> bearer token (401 unless public) -> per-user rate limit -> request message (400/415)
//   -> gRPC call with a deadline -> JSON response, or the mapped error.
//
// A route of a server-streaming RPC is a WebSocket (ws/): after the route lookup come the handshake
// checks (426/400), the Origin allow-list (403), the token (header or subprotocol; 401), the
// per-user rate limit, the request message from path and query, a place among the open WebSockets
// (503 in all / 429 per user), then the upgrade and the streaming call.
//
// Every call to a service carries the client's address (x-client-address) and, when configured, the
// forwarding secret (x-gateway-secret) that lets auth believe it (marketplace/rpc/forwarding.hpp).
//
// Every response carries X-Request-Id and traceparent, and the CORS headers for an allowed origin.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "edge/authenticator.hpp"
#include "edge/cors.hpp"
#include "edge/rate_limiter.hpp"
#include "edge/request_ids.hpp"
#include "http/server.hpp"
#include "marketplace/rpc/auth.hpp"
#include "routing/route_table.hpp"
#include "upstream/upstream.hpp"
#include "ws/ws_hub.hpp"

namespace marketplace::gateway {

class Gateway final {
public:
    /// Builds the route table and the OpenAPI document and opens the channels (lazily connecting).
    /// Throws std::invalid_argument when the annotations make a bad or conflicting route table.
    Gateway(GatewayConfig config, std::shared_ptr<const rpc::TokenVerifier> verifier);
    /// Stops if still running.
    ~Gateway();
    Gateway(const Gateway&) = delete;
    Gateway& operator=(const Gateway&) = delete;

    /// Starts serving; returns the bound port.
    int Start();
    /// Stops accepting, lets requests in flight finish (drain timeout), waits for the upstream
    /// callbacks, stops. Idempotent.
    void Stop();

    int port() const noexcept;
    const RouteTable& routes() const noexcept { return routes_; }
    const std::string& openapi_json() const noexcept { return openapi_json_; }

private:
    using Reply = std::function<void(HttpResponse)>;

    void Handle(HttpRequest&& request, const Peer& peer, Responder respond);
    void Dispatch(HttpRequest& request, const Peer& peer, const RequestIds& ids, const Reply& reply,
                  const Responder& respond);
    /// A GET of a server-streaming route: checks, then hands the connection to a WebSocket bridge.
    void ServeWebSocket(HttpRequest& request, const RouteLookup& lookup, std::string_view query, const RequestIds& ids,
                        const std::string& client, const Responder& respond);
    void HandleReady(const Reply& reply);
    void HandleWebhook(HttpRequest& request, const std::string& provider, const RequestIds& ids,
                       const std::string& client, const Reply& reply);
    /// GET /v1/files/{token} (transcode/download.hpp): the raw bytes of a workroom file.
    void HandleDownload(HttpRequest& request, const std::string& token, const RequestIds& ids,
                        const std::string& client, const Reply& reply);
    /// POST /webhooks/github/{link_id} (transcode/github_webhook.hpp): a GitHub delivery for the workroom.
    void HandleGitHubDelivery(HttpRequest& request, const std::string& link_id, const RequestIds& ids,
                              const std::string& client, const Reply& reply);
    /// Renders a successful upstream response; the default prints the response message as JSON.
    using Render = std::function<std::optional<HttpResponse>(const Route& route, const std::string& bytes)>;
    void Forward(const Route& route, std::string request_bytes, const std::string& authorization,
                 const HttpRequest& request, const RequestIds& ids, const std::string& client, const Reply& reply,
                 Render render = {});
    /// x-client-address and, when configured, x-gateway-secret.
    void AddClientMetadata(std::vector<std::pair<std::string, std::string>>& metadata, const std::string& client) const;
    void CheckRate(RateLimiter& limiter, const std::string& key, std::string_view what);
    Upstream* UpstreamFor(const Route& route);

    GatewayConfig config_;
    std::shared_ptr<CallTracker> tracker_;
    std::vector<std::unique_ptr<Upstream>> upstreams_;
    std::map<std::string, Upstream*, std::less<>> upstream_by_service_;
    RouteTable routes_;
    Route webhook_route_;
    Route download_route_;
    Route github_route_;
    std::string openapi_json_;
    Authenticator authenticator_;
    RateLimiter ip_limiter_;
    RateLimiter user_limiter_;
    Cors cors_;
    WebSocketHub websockets_;  // before server_: the sessions the server's threads run hold places
    std::unique_ptr<HttpServer> server_;
};

}  // namespace marketplace::gateway
