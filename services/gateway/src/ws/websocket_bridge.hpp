#pragma once
// One WebSocket bridged to a server-streaming call. After the handshake (answered with the request's
// X-Request-Id and traceparent, and the chosen subprotocol) the call is opened with the caller's
// token and ids; each streamed message goes out as one JSON text frame (the proto3 JSON mapping
// responses use), in order, through a bounded queue (WebSocketOptions).
//
// How it ends:
//   - the service ends the stream: close 1000;
//   - the service fails it: a last text frame with the error body an HTTP call would get
//     ({"code","message","field"}), then close 4000 + that HTTP status (4403, 4404, 4503, ...);
//   - the client closes, goes silent (no pong within the idle timeout), or the socket fails: the
//     call is cancelled;
//   - the client falls behind its feed: while its queue is full the feed waits (gRPC flow control
//     holds the service back); when it stays full for the send timeout, what is queued is dropped,
//     a last RESOURCE_EXHAUSTED frame and close 1008 follow (the socket is dropped if even they
//     cannot be written within the handshake timeout); the call is cancelled;
//   - the client sends a message (it may only send control frames): close 1008; too large: 1009;
//   - the gateway stops: close 1001; the call is cancelled.
#include <memory>
#include <string>

#include "http/types.hpp"
#include "upstream/upstream.hpp"
#include "ws/ws_hub.hpp"
#include "ws/ws_options.hpp"

namespace marketplace::gateway {

struct Route;
struct UpgradedConnection;

struct WebSocketBridge {
    const Route* route = nullptr;  // how streamed messages print (ResponseJson)
    Upstream* upstream = nullptr;
    UpstreamCall call;        // the streaming call to open once the handshake is done
    std::string subprotocol;  // what the answer selects, or empty
    std::string path;         // for logs
    std::string request_id;
    std::string traceparent;
    std::string trace_id;
    std::unique_ptr<WebSocketHub::Place> place;
    WebSocketOptions options;
};

/// Answers `request`'s opening handshake on `connection` and runs the bridge; call on the
/// connection's strand (what Responder::Upgrade does).
void StartWebSocketBridge(std::unique_ptr<UpgradedConnection> connection, HttpRequest request, WebSocketBridge bridge);

}  // namespace marketplace::gateway
