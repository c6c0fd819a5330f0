#pragma once
// One client connection (private to the server).
#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "http/server.hpp"

namespace marketplace::gateway::impl {

/// What every session of one server shares.
struct ServerShared {
    HttpLimits limits;
    HttpHandler handler;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> in_flight{0};
};

class Session final : public std::enable_shared_from_this<Session> {
public:
    Session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerShared> shared);
    ~Session();

    /// Starts reading on the session's strand.
    void Start();

private:
    void ReadIdle();
    void ReadHeader();
    /// The request deadline: tcp_stream's own timeout would close the socket, leaving no way to
    /// answer 408, so a separate timer cancels the read instead.
    void StartRequestTimer();
    void StopRequestTimer();
    void ReadBody();
    void Dispatch();
    /// On the strand: writes `response` (keep-alive unless `close`), then reads the next request.
    void Write(HttpResponse response, bool close);
    /// On the strand: gives the connection to `take` (Responder::Upgrade); the session ends.
    void HandOver(UpgradeFn take);
    /// Answers a request that could not be read, then closes.
    void Fail(bhttp::status status, std::string_view code, std::string_view message);
    /// Half-closes, reads and drops what the client still sends (bounded), then closes: a client that
    /// is still sending sees the response rather than a reset.
    void LingeringClose();
    void DrainSome();
    void Close();

    boost::beast::tcp_stream stream_;
    boost::asio::steady_timer request_timer_;
    bool timed_out_ = false;
    boost::beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::shared_ptr<ServerShared> shared_;
    std::shared_ptr<HttpResponse> writing_;
    std::shared_ptr<bhttp::response<bhttp::empty_body>> continue_;
    std::shared_ptr<std::array<char, 4096>> drain_;
    std::size_t drained_ = 0;
    Peer peer_;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    bool dispatched_ = false;
    bool handed_over_ = false;  // the connection count moved to the UpgradedConnection
};

}  // namespace marketplace::gateway::impl
