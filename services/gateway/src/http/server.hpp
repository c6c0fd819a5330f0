#pragma once
// The asynchronous HTTP/1.1 server (Boost.Beast on Asio): keep-alive, one request at a time per
// connection, and the limits an edge needs:
//   - a request (headers and body) must arrive within request_timeout once its first byte did
//     (slow clients get 408), and a kept-alive connection may sit idle for idle_timeout;
//   - headers larger than max_header_bytes get 431, bodies larger than max_body_bytes get 413
//     (as soon as Content-Length says so, without reading the body), malformed requests 400;
//   - at most max_connections are open, and at most max_connections_per_address from one peer
//     address (except addresses `uncapped` says yes to: trusted proxies). A connection beyond is
//     not served: its first request is answered 503 (in all) or 429 (per address) with
//     Retry-After: 1, then it is closed; beyond kMaxRefusing such refusals at once, further
//     connections are closed on accept without an answer.
// The handler runs on the connection's strand and answers through a Responder, from any thread,
// whenever it is ready (the gateway answers from gRPC's completion threads).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "http/types.hpp"

namespace marketplace::gateway {

struct HttpLimits {
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::chrono::milliseconds request_timeout{10'000};
    std::chrono::milliseconds idle_timeout{60'000};
    std::size_t max_connections = 10'000;
    /// 0: no per-address limit.
    std::size_t max_connections_per_address = 0;
};

/// Connections being refused (read, answered 429/503, closed) at once, at most.
inline constexpr std::size_t kMaxRefusing = 256;

struct HttpServerOptions {
    /// host:port ("127.0.0.1:8080", "[::1]:8080"); port 0 binds an ephemeral port.
    std::string listen_address = "127.0.0.1:8080";
    int threads = 2;
    HttpLimits limits;
    /// How long Stop() waits for requests in flight.
    std::chrono::milliseconds drain_timeout{10'000};
    /// Peer addresses exempt from max_connections_per_address (null: none).
    std::function<bool(const std::string&)> uncapped;
};

/// A connection the handler took over instead of answering (a WebSocket upgrade): the socket, on the
/// connection's strand. Defined in http/upgraded_connection.hpp (Asio/Beast headers).
struct UpgradedConnection;
using UpgradeFn = std::function<void(std::unique_ptr<UpgradedConnection>)>;

/// Sends the response to one request, once; later calls are ignored. Copyable (all copies share one
/// slot) and callable from any thread. If every copy goes away unused, the client gets a 500.
class Responder final {
public:
    using SendFn = std::function<void(HttpResponse)>;
    /// What the connection does with an upgrade: runs `take` on its strand with the connection.
    using HandOverFn = std::function<void(UpgradeFn take)>;
    explicit Responder(SendFn send, HandOverFn hand_over = {});

    void operator()(HttpResponse response) const;

    /// Instead of a response (and counting as the answer): hands the connection to `take`, which runs
    /// on the connection's strand; the server reads and writes nothing more on it. The connection
    /// still counts against max_connections until the UpgradedConnection (or what took its stream)
    /// is gone. Without a hand-over (a Responder made without one), the client gets a 500.
    void Upgrade(UpgradeFn take) const;

private:
    struct Slot;
    std::shared_ptr<Slot> slot_;
};

using HttpHandler = std::function<void(HttpRequest&& request, const Peer& peer, Responder respond)>;

class HttpServer final {
public:
    HttpServer(HttpServerOptions options, HttpHandler handler);
    /// Stops (with the drain) if still running.
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds, listens and starts the worker threads. Returns the bound port. Throws
    /// std::runtime_error when the address is malformed or cannot be bound.
    int Start();
    int port() const noexcept;

    /// Stops accepting, waits up to drain_timeout for requests in flight to be answered, then stops
    /// the threads and drops the remaining connections. Idempotent.
    void Stop();

    std::size_t open_connections() const noexcept;
    std::size_t in_flight() const noexcept;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

/// Splits "host:port" / "[v6]:port". Throws std::invalid_argument when malformed.
std::pair<std::string, int> SplitHostPort(const std::string& address);

}  // namespace marketplace::gateway
