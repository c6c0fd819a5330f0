#pragma once
// The tests' WebSocket client (Beast over Asio), in two forms: WebSocketClient works on the calling
// thread, every operation bounded by a timeout after which it throws std::runtime_error naming the
// stream and what did not complete; AsyncWebSocketClient runs on a caller's io_context, so that a
// load test holds thousands of them on a few threads.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "marketplace/testing/http_client.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace marketplace::testing {

struct WebSocketOptions {
    /// The server's IPv4 address.
    std::string host = "127.0.0.1";
    /// Bounds the connect and the opening handshake together.
    std::chrono::milliseconds timeout{10'000};
    /// A larger message from the server fails the read (and the connection).
    std::size_t max_message_bytes = 16 * 1024 * 1024;
};

class WebSocketClient final {
public:
    /// Opens ws://<host>:<port><target>, adding `headers` to the handshake (Authorization, Origin,
    /// Sec-WebSocket-Protocol...). Throws std::runtime_error when the server does not switch
    /// protocols, with the status and body it answered instead.
    WebSocketClient(int port, const std::string& target, const HttpHeaders& headers = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
    WebSocketClient(int port, const std::string& target, const HttpHeaders& headers, WebSocketOptions options);
    ~WebSocketClient();
    WebSocketClient(const WebSocketClient&) = delete;
    WebSocketClient& operator=(const WebSocketClient&) = delete;

    /// A header of the handshake's answer (lower-case name), or empty.
    std::string ResponseHeader(const std::string& lower_name) const;

    /// The next message, or nullopt once the server has closed (close_code() says how). Answers pings
    /// meanwhile. Throws on timeout or a broken connection.
    std::optional<std::string> Read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Every message until the server closes (each read bounded by `timeout`).
    std::vector<std::string> ReadUntilClosed(std::chrono::milliseconds timeout = std::chrono::seconds(20));

    void SendText(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    /// Sends a close frame (1000) and waits for the server's answer.
    void Close(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// The server's close code (0 while open).
    std::uint16_t close_code() const noexcept { return close_code_; }
    const std::string& close_reason() const noexcept { return close_reason_; }
    /// "ws://127.0.0.1:8080/v1/stream", for messages.
    const std::string& url() const noexcept { return url_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string url_;
    std::map<std::string, std::string> response_headers_;
    std::uint16_t close_code_ = 0;
    std::string close_reason_;
};

/// A WebSocket client driven by the threads that run a caller's io_context. Its handlers run on its
/// own strand, one at a time; after Open it reads until the connection fails or Shutdown.
class AsyncWebSocketClient final : public std::enable_shared_from_this<AsyncWebSocketClient> {
public:
    struct Handlers {
        /// The handshake succeeded (the reads have started).
        std::function<void()> on_open;
        std::function<void(std::string_view message)> on_message;
        /// The answer to Ping: its round trip, or nullopt when no pong came within the ping's timeout.
        std::function<void(std::optional<std::chrono::microseconds> round_trip)> on_pong;
        /// The connection failed: the text names the stream and the step (connect, handshake, read,
        /// ping). Not called after Shutdown.
        std::function<void(const std::string& error)> on_error;
    };

    static std::shared_ptr<AsyncWebSocketClient> Create(boost::asio::io_context& io, Handlers handlers);
    ~AsyncWebSocketClient();
    AsyncWebSocketClient(const AsyncWebSocketClient&) = delete;
    AsyncWebSocketClient& operator=(const AsyncWebSocketClient&) = delete;

    /// Connects to ws://<host>:<port><target> and sends the handshake with `headers`, together within
    /// options.timeout; messages over options.max_message_bytes fail the read.
    void Open(int port, const std::string& target, const HttpHeaders& headers = {}, WebSocketOptions options = {});
    /// Sends a ping; its pong, or its absence after `timeout`, reaches on_pong. One at a time: send the
    /// next from on_pong. Callable from any thread.
    void Ping(std::chrono::milliseconds timeout = std::chrono::seconds(2));
    /// Closes the connection without a close handshake. Callable from any thread.
    void Shutdown();

private:
    struct Impl;
    explicit AsyncWebSocketClient(std::unique_ptr<Impl> impl);
    void Read();
    void Fail(const std::string& step, const std::string& message);

    std::unique_ptr<Impl> impl_;
};

}  // namespace marketplace::testing
