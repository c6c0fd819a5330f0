#include "marketplace/testing/websocket_client.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
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

struct AsyncWebSocketClient::Impl {
    explicit Impl(asio::io_context& io) : strand(asio::make_strand(io)), ws(strand), ping_timer(strand) {}

    asio::strand<asio::io_context::executor_type> strand;
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    asio::steady_timer ping_timer;
    Handlers handlers;
    std::string url;
    bool closing = false;
    // The ping in flight: its payload is its number, so that a late pong is not taken for it.
    std::uint64_t ping_number = 0;
    bool ping_outstanding = false;
    std::chrono::steady_clock::time_point ping_sent;
};

std::shared_ptr<AsyncWebSocketClient> AsyncWebSocketClient::Create(asio::io_context& io, Handlers handlers) {
    auto impl = std::make_unique<Impl>(io);
    impl->handlers = std::move(handlers);
    return std::shared_ptr<AsyncWebSocketClient>(new AsyncWebSocketClient(std::move(impl)));
}

AsyncWebSocketClient::AsyncWebSocketClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AsyncWebSocketClient::~AsyncWebSocketClient() = default;

void AsyncWebSocketClient::Fail(const std::string& step, const std::string& message) {
    if (impl_->closing) return;
    impl_->closing = true;
    impl_->ping_timer.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(impl_->ws).socket().close(ignored);
    if (impl_->handlers.on_error)
        impl_->handlers.on_error("WebSocket " + impl_->url + ": " + step + " failed: " + message);
}

void AsyncWebSocketClient::Open(int port, const std::string& target, const HttpHeaders& headers,
                                WebSocketOptions options) {
    impl_->url = "ws://" + options.host + ":" + std::to_string(port) + target;
    beast::error_code ec;
    const auto address = asio::ip::make_address_v4(options.host, ec);
    if (ec) throw std::invalid_argument("WebSocket client: '" + options.host + "' is not an IPv4 address");
    const asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
    asio::post(impl_->strand, [self = shared_from_this(), endpoint, target, headers, options] {
        auto& impl = *self->impl_;
        const auto deadline = std::chrono::steady_clock::now() + options.timeout;
        beast::get_lowest_layer(impl.ws).expires_after(options.timeout);
        beast::get_lowest_layer(impl.ws).async_connect(
            endpoint, [self, endpoint, target, headers, options, deadline](beast::error_code ec) {
                auto& impl = *self->impl_;
                if (ec) return self->Fail("connect", ec == beast::error::timeout ? "timed out" : ec.message());
                beast::get_lowest_layer(impl.ws).expires_never();
                websocket::stream_base::timeout timeouts{};
                timeouts.handshake_timeout = std::max(std::chrono::steady_clock::duration(std::chrono::milliseconds(1)),
                                                      deadline - std::chrono::steady_clock::now());
                timeouts.idle_timeout = websocket::stream_base::none();
                timeouts.keep_alive_pings = false;
                impl.ws.set_option(timeouts);
                impl.ws.read_message_max(options.max_message_bytes);
                impl.ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& request) {
                    for (const auto& [name, value] : headers) request.set(name, value);
                }));
                // Pongs arrive while a read is in flight, which holds the client alive.
                impl.ws.control_callback([raw = self.get()](websocket::frame_type kind, beast::string_view payload) {
                    auto& impl = *raw->impl_;
                    if (kind != websocket::frame_type::pong || !impl.ping_outstanding ||
                        std::string(payload) != std::to_string(impl.ping_number)) {
                        return;
                    }
                    impl.ping_outstanding = false;
                    impl.ping_timer.cancel();
                    const auto round_trip = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - impl.ping_sent);
                    if (impl.handlers.on_pong) impl.handlers.on_pong(round_trip);
                });
                impl.ws.async_handshake(options.host + ":" + std::to_string(endpoint.port()), target,
                                        [self](beast::error_code ec2) {
                                            if (ec2) return self->Fail("handshake", ec2.message());
                                            if (self->impl_->handlers.on_open) self->impl_->handlers.on_open();
                                            self->Read();
                                        });
            });
    });
}

void AsyncWebSocketClient::Read() {
    impl_->ws.async_read(impl_->buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        auto& impl = *self->impl_;
        if (ec == websocket::error::closed) {
            return self->Fail("read", "closed by the server (" + std::to_string(impl.ws.reason().code) + " " +
                                          std::string(impl.ws.reason().reason.c_str()) + ")");
        }
        if (ec) return self->Fail("read", ec.message());
        const auto data = impl.buffer.data();
        const std::string text = beast::buffers_to_string(data);
        impl.buffer.consume(impl.buffer.size());
        if (impl.handlers.on_message) impl.handlers.on_message(text);
        self->Read();
    });
}

void AsyncWebSocketClient::Ping(std::chrono::milliseconds timeout) {
    asio::post(impl_->strand, [self = shared_from_this(), timeout] {
        auto& impl = *self->impl_;
        if (impl.closing) return;
        const auto number = ++impl.ping_number;
        impl.ping_outstanding = true;
        impl.ping_sent = std::chrono::steady_clock::now();
        impl.ping_timer.expires_after(timeout);
        impl.ping_timer.async_wait([self, number](beast::error_code ec) {
            auto& impl = *self->impl_;
            if (ec || number != impl.ping_number || !impl.ping_outstanding || impl.closing) return;
            impl.ping_outstanding = false;
            if (impl.handlers.on_pong) impl.handlers.on_pong(std::nullopt);
        });
        const std::string payload = std::to_string(number);
        impl.ws.async_ping(websocket::ping_data(payload.c_str()), [self](beast::error_code ec) {
            if (ec) self->Fail("ping", ec.message());
        });
    });
}

void AsyncWebSocketClient::Shutdown() {
    asio::post(impl_->strand, [self = shared_from_this()] {
        auto& impl = *self->impl_;
        impl.closing = true;
        impl.ping_timer.cancel();
        beast::error_code ignored;
        beast::get_lowest_layer(impl.ws).socket().close(ignored);
    });
}

}  // namespace marketplace::testing
