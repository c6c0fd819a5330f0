#include "http_client.hpp"

#include <memory>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace marketplace::gateway::test {
namespace bhttp = boost::beast::http;

std::string HttpResult::Header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

nlohmann::json HttpResult::Json() const { return nlohmann::json::parse(body); }

Connection::Connection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd_);
        throw std::runtime_error("connect() failed");
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

Connection::~Connection() {
    if (fd_ >= 0) ::close(fd_);
}

void Connection::Send(std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) throw std::runtime_error("send() failed");
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

bool Connection::Receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buffer[16384];
    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
        eof_ = true;
    } else {
        pending_.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
}

HttpResult Connection::ReadResponse(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.eager(true);
        parser.body_limit(64 * 1024 * 1024);
        for (;;) {
            boost::beast::error_code ec;
            if (!pending_.empty()) {
                const auto used = parser.put(boost::asio::buffer(pending_), ec);
                pending_.erase(0, used);
                if (ec && ec != bhttp::error::need_more) throw std::runtime_error("bad response: " + ec.message());
            }
            if (parser.is_done()) break;
            if (eof_) {
                if (!parser.got_some()) throw std::runtime_error("connection closed before a response");
                parser.put_eof(ec);
                if (ec || !parser.is_done()) throw std::runtime_error("connection closed before a response");
                break;
            }
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !Receive(left)) throw std::runtime_error("timed out waiting for a response");
        }
        auto message = parser.release();
        if (message.result_int() / 100 == 1) continue;  // 100 Continue
        HttpResult result;
        result.status = static_cast<int>(message.result_int());
        for (const auto& field : message) {
            std::string name(field.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            result.headers[name] = std::string(field.value());
        }
        result.body = std::move(message.body());
        return result;
    }
}

bool Connection::WaitFor(std::string_view text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto at = pending_.find(text);
        if (at != std::string::npos) {
            pending_.erase(0, at + text.size());
            return true;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (eof_ || left.count() <= 0 || !Receive(left)) return false;
    }
}

bool Connection::ClosedWithin(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_) {
        pending_.clear();
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !Receive(left)) return false;
    }
    return true;
}

std::string RequestText(const std::string& method, const std::string& target, const std::string& body,
                        const Headers& headers) {
    std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    bool has_length = false;
    for (const auto& [name, value] : headers) {
        text += name + ": " + value + "\r\n";
        if (name == "Content-Length" || name == "Transfer-Encoding") has_length = true;
    }
    if (!has_length && (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT")) {
        text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    text += "\r\n" + body;
    return text;
}

HttpResult HttpClient::Request(const std::string& method, const std::string& target, const std::string& body,
                               const Headers& headers) {
    const std::string text = RequestText(method, target, body, headers);
    for (int attempt = 0;; ++attempt) {
        if (!connection_) {
            connection_ = std::make_unique<Connection>(port_);
            ++opened_;
        }
        try {
            connection_->Send(text);
            auto result = connection_->ReadResponse();
            if (result.Header("connection") == "close") connection_.reset();
            return result;
        } catch (const std::runtime_error&) {
            connection_.reset();
            // A kept-alive connection the server closed in between: retry once on a new one.
            if (attempt > 0) throw;
        }
    }
}

}  // namespace marketplace::gateway::test
