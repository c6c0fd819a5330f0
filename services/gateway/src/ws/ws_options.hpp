#pragma once
// The limits of the gateway's WebSockets (GATEWAY_WS_* in config.hpp).
#include <chrono>
#include <cstddef>

namespace marketplace::gateway {

struct WebSocketOptions {
    /// Open WebSockets in all; one more is answered 503 before the upgrade.
    std::size_t max_connections = 10'000;
    /// Open WebSockets of one user (token subject); one more is answered 429 before the upgrade.
    std::size_t max_per_user = 16;
    /// Nothing from the client (a pong counts) for this long closes the socket; a ping goes out when
    /// half of it has passed.
    std::chrono::milliseconds idle_timeout{60'000};
    /// The opening handshake's answer and the closing handshake must finish within this.
    std::chrono::milliseconds handshake_timeout{10'000};
    /// Messages waiting to be written to one client, and their bytes. When they are full the feed
    /// waits (gRPC flow control holds the service back), so a burst reaches a reading client whole
    /// and memory stays bounded.
    std::size_t max_queued_messages = 256;
    std::size_t max_queued_bytes = 1024 * 1024;
    /// A client whose queue stays full this long reads too slowly: it is closed (1008), not waited for.
    std::chrono::milliseconds send_timeout{10'000};
    /// Clients send nothing but control frames: a larger message closes the socket (1009).
    std::size_t max_inbound_bytes = 1024;
};

}  // namespace marketplace::gateway
