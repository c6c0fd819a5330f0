#pragma once
// A connection a handler took over instead of answering (Responder::Upgrade): what a WebSocket
// session is built on.
#include <memory>
#include <utility>

#include <boost/beast/core/tcp_stream.hpp>

#include "http/server.hpp"

namespace marketplace::gateway {

struct UpgradedConnection {
    UpgradedConnection(boost::beast::tcp_stream s, std::shared_ptr<void> slot)
        : stream(std::move(s)), connection_slot(std::move(slot)) {}

    /// The client's socket, on the connection's strand, with no timeout set. The request that asked
    /// for the upgrade has been read whole; a client sends nothing more before it is answered
    /// (RFC 6455 §4.1), so nothing read ahead is lost.
    boost::beast::tcp_stream stream;
    /// The connection's place among the server's open connections (max_connections): keep it for
    /// as long as the connection is open.
    std::shared_ptr<void> connection_slot;
};

}  // namespace marketplace::gateway
