#include "marketplace/testing/websocket_client.hpp"

#include <cctype>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace marketplace::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

struct WebSocketClient::Impl {
    asio::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::flat_buffer buffer;

    // Runs one asynchronous operation to its end; the tcp_stream's expiry bounds it (an operation
    // that outlives it ends with beast::error::timeout, and the connection with it).
    template <typename Start>
    beast::error_code Run(std::chrono::milliseconds timeout, Start start) {
        beast::get_lowest_layer(ws).expires_after(timeout);
        beast::error_code result;
        bool done = false;
        start([&](beast::error_code ec) {
            result = ec;
            done = true;
        });
        ioc.restart();
        ioc.run();
        if (!done) throw std::runtime_error("WebSocket operation did not complete");
        return result;
    }
};

WebSocketClient::WebSocketClient(int port, const std::string& target, const HttpHeaders& headers,
                                 std::chrono::milliseconds timeout)
    : WebSocketClient(port, target, headers, WebSocketOptions{.timeout = timeout}) {}

WebSocketClient::WebSocketClient(int port, const std::string& target, const HttpHeaders& headers,
                                 WebSocketOptions options)
    : impl_(std::make_unique<Impl>()), url_("ws://" + options.host + ":" + std::to_string(port) + target) {
    beast::error_code ec;
    const auto address = asio::ip::make_address_v4(options.host, ec);
    if (ec) throw std::invalid_argument("WebSocket client: '" + options.host + "' is not an IPv4 address");
    const asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
    // The connect and the handshake share one deadline.
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    ec = impl_->Run(options.timeout, [&](auto done) {
        beast::get_lowest_layer(impl_->ws).async_connect(endpoint, [done](beast::error_code e) mutable { done(e); });
    });
    if (ec) {
        throw std::runtime_error(
            "WebSocket " + url_ + ": connect failed: " +
            (ec == beast::error::timeout ? "timed out after " + Millis(options.timeout) : ec.message()));
    }
    impl_->ws.read_message_max(options.max_message_bytes);
    impl_->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& request) {
        for (const auto& [name, value] : headers) request.set(name, value);
    }));
    websocket::response_type response;
    const auto left =
        std::max(std::chrono::milliseconds(1),
                 std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    ec = impl_->Run(left, [&](auto done) {
        impl_->ws.async_handshake(response, options.host + ":" + std::to_string(port), target,
                                  [done](beast::error_code e) mutable { done(e); });
    });
    for (const auto& field : response) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        response_headers_[name] = std::string(field.value());
    }
    if (ec) {
        const std::string why =
            ec == beast::error::timeout ? "timed out after " + Millis(options.timeout) : ec.message();
        throw std::runtime_error("WebSocket " + url_ + ": handshake failed: " + why + " (HTTP " +
                                 std::to_string(response.result_int()) + " " + response.body() + ")");
    }
}

WebSocketClient::~WebSocketClient() {
    beast::error_code ignored;
    beast::get_lowest_layer(impl_->ws).socket().close(ignored);
}

std::string WebSocketClient::ResponseHeader(const std::string& lower_name) const {
    const auto it = response_headers_.find(lower_name);
    return it == response_headers_.end() ? std::string() : it->second;
}

std::optional<std::string> WebSocketClient::Read(std::chrono::milliseconds timeout) {
    if (close_code_ != 0) return std::nullopt;
    impl_->buffer.clear();
    const auto ec = impl_->Run(timeout, [&](auto done) {
        impl_->ws.async_read(impl_->buffer, [done](beast::error_code e, std::size_t) mutable { done(e); });
    });
    if (ec == websocket::error::closed) {
        close_code_ = impl_->ws.reason().code;
        close_reason_ = std::string(impl_->ws.reason().reason.c_str());
        return std::nullopt;
    }
    if (ec == beast::error::timeout) {
        throw std::runtime_error("WebSocket " + url_ + ": no message within " + Millis(timeout));
    }
    if (ec) throw std::runtime_error("WebSocket " + url_ + ": read failed: " + ec.message());
    return beast::buffers_to_string(impl_->buffer.data());
}

std::vector<std::string> WebSocketClient::ReadUntilClosed(std::chrono::milliseconds timeout) {
    std::vector<std::string> messages;
    while (auto message = Read(timeout)) messages.push_back(std::move(*message));
    return messages;
}

void WebSocketClient::SendText(const std::string& text, std::chrono::milliseconds timeout) {
    impl_->ws.text(true);
    const auto ec = impl_->Run(timeout, [&](auto done) {
        impl_->ws.async_write(asio::buffer(text), [done](beast::error_code e, std::size_t) mutable { done(e); });
    });
    if (ec) {
        throw std::runtime_error("WebSocket " + url_ + ": write failed: " +
                                 (ec == beast::error::timeout ? "timed out after " + Millis(timeout) : ec.message()));
    }
}

void WebSocketClient::Close(std::chrono::milliseconds timeout) {
    const auto ec = impl_->Run(timeout, [&](auto done) {
        impl_->ws.async_close(websocket::close_code::normal, [done](beast::error_code e) mutable { done(e); });
    });
    if (ec) {
        throw std::runtime_error("WebSocket " + url_ + ": close failed: " +
                                 (ec == beast::error::timeout ? "timed out after " + Millis(timeout) : ec.message()));
    }
}

}  // namespace marketplace::testing
