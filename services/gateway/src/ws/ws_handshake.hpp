#pragma once
// The checks a WebSocket opening handshake (RFC 6455 §4.2.1) passes before the gateway upgrades,
// and where its token comes from.
//
// Tokens: the `Authorization: Bearer <token>` header, as on every route; and, since a browser's
// WebSocket API cannot set headers, the subprotocol list `Sec-WebSocket-Protocol: bearer, <token>`
// (the answer then selects "bearer", as browsers require an offered subprotocol to be selected).
// Not a query parameter: a URL's query is written to access logs, proxies' logs and browser
// history, where a token must not go; the handshake's headers are not.
#include <string>
#include <string_view>

#include "http/types.hpp"

namespace marketplace::gateway {

/// The subprotocol that carries a token, and that the answer selects.
inline constexpr char kBearerSubprotocol[] = "bearer";

struct WebSocketCredentials {
    /// "Bearer <token>" from either place, or empty when the request carries no token.
    std::string authorization;
    /// What the answer's Sec-WebSocket-Protocol selects: "bearer" when the list offered it, else empty.
    std::string subprotocol;
};

/// Reads the token from the Authorization header or the Sec-WebSocket-Protocol list
/// (`protocols`: every line of it, joined by ", "). Throws RequestError: 400 naming
/// Sec-WebSocket-Protocol when it offers anything but "bearer, <token>" (no other subprotocol is
/// spoken), or when both places carry a token; 401 when "bearer" is not followed by a token.
WebSocketCredentials ReadWebSocketCredentials(std::string_view authorization_header, std::string_view protocols);

/// Checks that `request` (a GET of a WebSocket route) opens a WebSocket the gateway can accept.
/// Throws RequestError: 426 Upgrade Required (with Upgrade: websocket) for a request that does not
/// ask for the upgrade (a plain GET), and (with Sec-WebSocket-Version: 13) for another protocol
/// version; 400 naming Sec-WebSocket-Key when the key is missing or malformed.
void CheckWebSocketHandshake(const HttpRequest& request, std::string_view path);

/// Every line of a header, joined by ", " (how a list-valued header may be split).
std::string JoinedHeader(const HttpRequest& request, bhttp::field name);

}  // namespace marketplace::gateway
