#pragma once
// One client connection (private to the server).
#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

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
    std::function<bool(const std::string&)> uncapped;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> refusing{0};
    std::atomic<std::size_t> in_flight{0};

    /// Counts a connection from `address` unless it has max_connections_per_address already;
    /// returns whether it did.
    bool TakeAddress(const std::string& address);
    void ReleaseAddress(const std::string& address);

private:
    std::mutex per_address_mu_;
    std::unordered_map<std::string, std::size_t> per_address_;
};

/// Why a connection is refused: answered once, then closed.
struct Refusal {
    bhttp::status status;
    std::string code;
    std::string message;
};

class Session final : public std::enable_shared_from_this<Session> {
public:
    /// A served connection (counted in `connections` and, when `address_taken`, per address by the
    /// caller), or with `refusal`, one that is answered so and closed (counted in `refusing`).
    Session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerShared> shared, std::string address,
            bool address_taken, std::optional<Refusal> refusal = std::nullopt);
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
    bool address_taken_ = false;
    std::optional<Refusal> refusal_;
};

}  // namespace marketplace::gateway::impl
