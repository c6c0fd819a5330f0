// Gateway::ServeWebSocket: a GET of a server-streaming route (see gateway.hpp for the order).
#include <chrono>

#include "edge/public_routes.hpp"
#include "gateway.hpp"
#include "http/request_error.hpp"
#include "http/upgraded_connection.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "transcode/request_builder.hpp"
#include "ws/websocket_bridge.hpp"
#include "ws/ws_handshake.hpp"

namespace marketplace::gateway {

void Gateway::ServeWebSocket(HttpRequest& request, const RouteLookup& lookup, std::string_view query,
                             const RequestIds& ids, const std::string& client, const Responder& respond) {
    const Route& route = *lookup.route;
    CheckWebSocketHandshake(request, route.path.text());

    // Browsers send their page's Origin and let any page open a WebSocket: only listed ones may.
    // Other clients send none.
    const std::string_view origin = HeaderValue(request, "Origin");
    if (!origin.empty() && !cors_.IsAllowedOrigin(origin)) {
        throw RequestError(bhttp::status::forbidden, "PERMISSION_DENIED",
                           "origin '" + std::string(origin) + "' may not open WebSockets here", "Origin");
    }

    const auto credentials = ReadWebSocketCredentials(HeaderValue(request, "Authorization"),
                                                      JoinedHeader(request, bhttp::field::sec_websocket_protocol));
    const bool required = !IsPublicMethod(route.method->full_name());
    if (required && credentials.authorization.empty()) {
        throw RequestError(bhttp::status::unauthorized, "UNAUTHENTICATED",
                           "this WebSocket needs a bearer token: 'Authorization: Bearer <token>', or "
                           "'Sec-WebSocket-Protocol: bearer, <token>' from a browser");
    }
    const auto auth = authenticator_.Check(credentials.authorization, required);
    if (auth.claims) CheckRate(user_limiter_, auth.claims->subject, "for this user");

    const auto message = BuildRequestMessage(
        route, RequestParts{lookup.bindings, query, request.body(), HeaderValue(request, "Content-Type")},
        config_.max_json_depth);
    Upstream* upstream = UpstreamFor(route);
    if (upstream == nullptr) {
        throw RequestError(bhttp::status::not_found, "NOT_FOUND", "no route for " + route.path.text());
    }

    struct Handover {
        HttpRequest request;
        WebSocketBridge bridge;
    };
    auto handover = std::make_shared<Handover>();
    auto& bridge = handover->bridge;
    bridge.place = websockets_.Admit(auth.claims ? auth.claims->subject : std::string());
    bridge.route = &route;
    bridge.upstream = upstream;
    bridge.call.method_path = route.grpc_path;
    bridge.call.request_bytes = message->SerializeAsString();
    bridge.call.deadline = std::chrono::system_clock::time_point::max();  // a feed lasts as long as the client stays
    bridge.call.metadata.emplace_back(rpc::kRequestIdMetadata, ids.request_id);
    bridge.call.metadata.emplace_back(rpc::kTraceparentMetadata, ids.trace.ToTraceparent());
    if (!auth.authorization.empty()) bridge.call.metadata.emplace_back(rpc::kAuthorizationMetadata, auth.authorization);
    AddClientMetadata(bridge.call.metadata, client);
    bridge.subprotocol = credentials.subprotocol;
    bridge.path = route.path.text();
    bridge.request_id = ids.request_id;
    bridge.traceparent = ids.trace.ToTraceparent();
    bridge.trace_id = ids.trace.trace_id;
    bridge.options = config_.websocket;
    handover->request = std::move(request);
    respond.Upgrade([handover](std::unique_ptr<UpgradedConnection> connection) {
        StartWebSocketBridge(std::move(connection), std::move(handover->request), std::move(handover->bridge));
    });
}

}  // namespace marketplace::gateway
