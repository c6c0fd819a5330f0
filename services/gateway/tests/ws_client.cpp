#include "ws_client.hpp"

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace marketplace::gateway::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct WsClient::Impl {
    asio::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::flat_buffer buffer;

    // Runs one asynchronous operation to its end; the tcp_stream's expiry bounds it.
    template <typename Start>
    beast::error_code Run(std::chrono::milliseconds timeout, Start start) {
        beast::get_lowest_layer(ws).expires_after(timeout);
        beast::error_code result;
        bool done = false;
        start([&](beast::error_code ec, auto&&...) {
            result = ec;
            done = true;
        });
        ioc.restart();
        ioc.run();
        if (!done) throw std::runtime_error("websocket operation did not complete");
        return result;
    }
};

WsClient::WsClient(int port, const std::string& target, const Headers& headers, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    auto ec = impl_->Run(timeout, [&](auto handler) {
        beast::get_lowest_layer(impl_->ws).async_connect(endpoint,
                                                         [handler](beast::error_code e) mutable { handler(e); });
    });
    if (ec) throw std::runtime_error("connect failed: " + ec.message());
    impl_->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& request) {
        for (const auto& [name, value] : headers) request.set(name, value);
    }));
    websocket::response_type response;
    ec = impl_->Run(timeout, [&](auto handler) {
        impl_->ws.async_handshake(response, "127.0.0.1:" + std::to_string(port), target,
                                  [handler](beast::error_code e) mutable { handler(e); });
    });
    for (const auto& field : response) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        response_headers_[name] = std::string(field.value());
    }
    if (ec) {
        throw std::runtime_error("websocket handshake failed: " + ec.message() + " (HTTP " +
                                 std::to_string(response.result_int()) + " " + response.body() + ")");
    }
}

WsClient::~WsClient() {
    beast::error_code ignored;
    beast::get_lowest_layer(impl_->ws).socket().close(ignored);
}

std::string WsClient::ResponseHeader(const std::string& lower_name) const {
    const auto it = response_headers_.find(lower_name);
    return it == response_headers_.end() ? std::string() : it->second;
}

std::optional<std::string> WsClient::Read(std::chrono::milliseconds timeout) {
    if (close_code_ != 0) return std::nullopt;
    impl_->buffer.clear();
    const auto ec = impl_->Run(timeout, [&](auto handler) {
        impl_->ws.async_read(impl_->buffer, [handler](beast::error_code e, std::size_t) mutable { handler(e); });
    });
    if (ec == websocket::error::closed) {
        close_code_ = impl_->ws.reason().code;
        close_reason_ = std::string(impl_->ws.reason().reason.c_str());
        return std::nullopt;
    }
    if (ec) throw std::runtime_error("websocket read failed: " + ec.message());
    return beast::buffers_to_string(impl_->buffer.data());
}

std::vector<std::string> WsClient::ReadUntilClosed(std::chrono::milliseconds timeout) {
    std::vector<std::string> messages;
    while (auto message = Read(timeout)) messages.push_back(std::move(*message));
    return messages;
}

void WsClient::SendText(const std::string& text, std::chrono::milliseconds timeout) {
    impl_->ws.text(true);
    const auto ec = impl_->Run(timeout, [&](auto handler) {
        impl_->ws.async_write(asio::buffer(text), [handler](beast::error_code e, std::size_t) mutable { handler(e); });
    });
    if (ec) throw std::runtime_error("websocket write failed: " + ec.message());
}

void WsClient::Close(std::chrono::milliseconds timeout) {
    const auto ec = impl_->Run(timeout, [&](auto handler) {
        impl_->ws.async_close(websocket::close_code::normal, [handler](beast::error_code e) mutable { handler(e); });
    });
    if (ec) throw std::runtime_error("websocket close failed: " + ec.message());
}

}  // namespace marketplace::gateway::test
