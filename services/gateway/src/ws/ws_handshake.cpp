#include "ws/ws_handshake.hpp"

#include <algorithm>
#include <vector>

#include <boost/beast/websocket/rfc6455.hpp>

#include "config.hpp"
#include "http/request_error.hpp"

namespace marketplace::gateway {
namespace {

constexpr char kProtocolField[] = "Sec-WebSocket-Protocol";

bool IsBase64(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// A nonce of 16 bytes in base64: 22 characters and "==".
bool IsWebSocketKey(std::string_view key) {
    return key.size() == 24 && key.substr(22) == "==" &&
           std::all_of(key.begin(), key.begin() + 22, [](char c) { return IsBase64(c); });
}

}  // namespace

WebSocketCredentials ReadWebSocketCredentials(std::string_view authorization_header, std::string_view protocols) {
    WebSocketCredentials credentials;
    const auto offered = SplitList(std::string(protocols));
    if (offered.empty()) {
        credentials.authorization = std::string(authorization_header);
        return credentials;
    }
    if (offered.front() != kBearerSubprotocol || offered.size() > 2) {
        throw RequestError::InvalidArgument(kProtocolField,
                                            "Sec-WebSocket-Protocol may only be 'bearer, <token>'; no other "
                                            "subprotocol is spoken");
    }
    if (offered.size() < 2) {
        throw RequestError(bhttp::status::unauthorized, "UNAUTHENTICATED",
                           "Sec-WebSocket-Protocol 'bearer' must be followed by the token: 'bearer, <token>'",
                           kProtocolField);
    }
    if (!authorization_header.empty()) {
        throw RequestError::InvalidArgument(
            kProtocolField, "send the token once: in the Authorization header or in Sec-WebSocket-Protocol");
    }
    credentials.authorization = "Bearer " + offered[1];
    credentials.subprotocol = kBearerSubprotocol;
    return credentials;
}

void CheckWebSocketHandshake(const HttpRequest& request, std::string_view path) {
    if (!boost::beast::websocket::is_upgrade(request)) {
        throw RequestError(bhttp::status::upgrade_required, "UPGRADE_REQUIRED",
                           "GET " + std::string(path) +
                               " is a WebSocket: open it with the headers 'Connection: Upgrade' and "
                               "'Upgrade: websocket' (HTTP/1.1)")
            .WithHeader(bhttp::field::upgrade, "websocket");
    }
    if (HeaderValue(request, "Sec-WebSocket-Version") != "13") {
        throw RequestError(bhttp::status::upgrade_required, "UPGRADE_REQUIRED",
                           "only WebSocket version 13 is spoken (Sec-WebSocket-Version: 13)", "Sec-WebSocket-Version")
            .WithHeader(bhttp::field::upgrade, "websocket")
            .WithHeader(bhttp::field::sec_websocket_version, "13");
    }
    if (!IsWebSocketKey(HeaderValue(request, "Sec-WebSocket-Key"))) {
        throw RequestError::InvalidArgument("Sec-WebSocket-Key",
                                            "Sec-WebSocket-Key must be a 16-byte nonce in base64 (24 characters)");
    }
}

std::string JoinedHeader(const HttpRequest& request, bhttp::field name) {
    std::string out;
    const auto range = request.equal_range(name);
    for (auto it = range.first; it != range.second; ++it) {
        if (!out.empty()) out += ", ";
        out.append(it->value().data(), it->value().size());
    }
    return out;
}

}  // namespace marketplace::gateway
