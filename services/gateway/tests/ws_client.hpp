#pragma once
// A WebSocket client for the gateway's tests (Beast over Asio, one thread): every operation is bounded
// by a timeout, after which it throws.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http_client.hpp"

namespace marketplace::gateway::test {

class WsClient final {
public:
    /// Opens ws://127.0.0.1:<port><target>, adding `headers` to the handshake (Authorization, Origin,
    /// Sec-WebSocket-Protocol...). Throws std::runtime_error when the server does not switch protocols.
    WsClient(int port, const std::string& target, const Headers& headers = {},
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~WsClient();
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    /// A header of the handshake's answer (lower-case name), or empty.
    std::string ResponseHeader(const std::string& lower_name) const;

    /// The next text message, or nullopt once the server has closed (close_code() says how). Answers
    /// pings meanwhile. Throws std::runtime_error on timeout or a broken connection.
    std::optional<std::string> Read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Every message until the server closes.
    std::vector<std::string> ReadUntilClosed(std::chrono::milliseconds timeout = std::chrono::seconds(20));

    void SendText(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    /// Sends a close frame (1000) and waits for the server's answer.
    void Close(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// The server's close code (0 while open).
    std::uint16_t close_code() const noexcept { return close_code_; }
    const std::string& close_reason() const noexcept { return close_reason_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::map<std::string, std::string> response_headers_;
    std::uint16_t close_code_ = 0;
    std::string close_reason_;
};

}  // namespace marketplace::gateway::test
