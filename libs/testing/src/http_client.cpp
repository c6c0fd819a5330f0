#include "marketplace/testing/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace marketplace::testing {
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::chrono::milliseconds Left(Clock::time_point deadline) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

sockaddr_in Address(const std::string& ip, int port, const char* what) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, ip.c_str(), &address.sin_addr) != 1) {
        throw std::invalid_argument(std::string("HTTP client: the ") + what + " '" + ip + "' is not an IPv4 address");
    }
    return address;
}

// Waits for `events` on `fd` within `timeout`; false on timeout.
bool Wait(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd, events, 0};
    for (;;) {
        const int n = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, timeout.count())));
        if (n >= 0) return n > 0;
        if (errno != EINTR) throw std::runtime_error(std::string("poll() failed: ") + std::strerror(errno));
    }
}

}  // namespace

std::string HttpResponse::Header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

nlohmann::json HttpResponse::Json() const {
    if (body.empty()) return nlohmann::json::object();
    try {
        return nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error("HTTP " + std::to_string(status) + " response body is not JSON (" + e.what() +
                                 "): " + body.substr(0, 500));
    }
}

std::string HttpResponse::Code() const {
    const auto json = Json();
    return json.is_object() ? json.value("code", "") : std::string();
}

HttpConnection::HttpConnection(int port, HttpOptions options)
    : options_(std::move(options)), peer_(options_.host + ":" + std::to_string(port)) {
    const std::string from = options_.source.empty() ? std::string() : " from " + options_.source;
    const sockaddr_in to = Address(options_.host, port, "server address");
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) throw std::runtime_error("HTTP client: socket() failed: " + std::string(std::strerror(errno)));
    const auto fail = [&](const std::string& what) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("HTTP client: cannot connect to " + peer_ + from + ": " + what);
    };
    if (!options_.source.empty()) {
        const sockaddr_in source = Address(options_.source, 0, "source address");
        if (::bind(fd_, reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0) {
            fail(std::string("bind: ") + std::strerror(errno));
        }
    }
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
        if (errno != EINPROGRESS) fail(std::strerror(errno));
        if (!Wait(fd_, POLLOUT, options_.connect_timeout)) fail("timed out after " + Millis(options_.connect_timeout));
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) fail(std::strerror(error));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

HttpConnection::~HttpConnection() {
    if (fd_ >= 0) ::close(fd_);
}

HttpConnection::HttpConnection(HttpConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      options_(std::move(other.options_)),
      peer_(std::move(other.peer_)),
      pending_(std::move(other.pending_)),
      eof_(other.eof_) {}

HttpConnection& HttpConnection::operator=(HttpConnection&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        options_ = std::move(other.options_);
        peer_ = std::move(other.peer_);
        pending_ = std::move(other.pending_);
        eof_ = other.eof_;
    }
    return *this;
}

void HttpConnection::Send(std::string_view bytes) {
    if (fd_ < 0) throw std::logic_error("HTTP client: send on a moved-from connection");
    const auto deadline = Clock::now() + options_.timeout;
    while (!bytes.empty()) {
        const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (Left(deadline).count() <= 0 || !Wait(fd_, POLLOUT, Left(deadline))) {
                throw std::runtime_error("HTTP client: sending to " + peer_ + " timed out after " +
                                         Millis(options_.timeout) + " with " + std::to_string(bytes.size()) +
                                         " bytes unsent");
            }
            continue;
        }
        throw std::runtime_error("HTTP client: send to " + peer_ + " failed: " + std::strerror(errno));
    }
}

bool HttpConnection::Receive(std::chrono::milliseconds timeout) {
    if (fd_ < 0) throw std::logic_error("HTTP client: receive on a moved-from connection");
    if (!Wait(fd_, POLLIN, timeout)) return false;
    char buffer[16384];
    for (;;) {
        const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n > 0) {
            pending_.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0) {
            eof_ = true;
        } else if (errno == EINTR) {
            continue;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            eof_ = true;  // reset by the peer: nothing more will come
        }
        return true;
    }
}

HttpResponse HttpConnection::ReadResponse(std::chrono::milliseconds timeout, bool to_head) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.eager(true);
        parser.skip(to_head);
        parser.header_limit(64 * 1024);
        parser.body_limit(options_.max_response_bytes);
        for (;;) {
            boost::beast::error_code ec;
            if (!pending_.empty()) {
                const auto used = parser.put(boost::asio::buffer(pending_), ec);
                pending_.erase(0, used);
                if (ec == bhttp::error::body_limit) {
                    throw std::runtime_error("HTTP client: the response from " + peer_ + " is larger than " +
                                             std::to_string(options_.max_response_bytes) + " bytes");
                }
                if (ec && ec != bhttp::error::need_more) {
                    throw std::runtime_error("HTTP client: bad response from " + peer_ + ": " + ec.message());
                }
            }
            if (parser.is_done()) break;
            if (eof_) {
                if (parser.got_some()) parser.put_eof(ec);
                if (!parser.got_some() || ec || !parser.is_done()) {
                    throw std::runtime_error("HTTP client: " + peer_ + " closed the connection before a complete " +
                                             "response" + (parser.got_some() ? "" : " (nothing received)"));
                }
                break;
            }
            const auto left = Left(deadline);
            if (left.count() <= 0 || !Receive(left)) {
                throw std::runtime_error("HTTP client: timed out after " + Millis(timeout) +
                                         " waiting for a response from " + peer_ +
                                         (parser.got_some() ? " (a partial one arrived)" : ""));
            }
        }
        auto message = parser.release();
        if (message.result_int() / 100 == 1) continue;  // 100 Continue
        HttpResponse response;
        response.status = static_cast<int>(message.result_int());
        for (const auto& field : message) {
            response.headers[Lower(std::string(field.name_string()))] = std::string(field.value());
        }
        response.body = std::move(message.body());
        return response;
    }
}

HttpResponse HttpConnection::Request(const std::string& method, const std::string& target, const std::string& body,
                                     const HttpHeaders& headers) {
    Send(RequestText(method, target, body, headers, peer_));
    try {
        return ReadResponse(options_.timeout, method == "HEAD");
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(method + " " + target + ": " + e.what());
    }
}

bool HttpConnection::WaitFor(std::string_view text, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto at = pending_.find(text);
        if (at != std::string::npos) {
            pending_.erase(0, at + text.size());
            return true;
        }
        const auto left = Left(deadline);
        if (eof_ || left.count() <= 0 || !Receive(left)) return false;
    }
}

std::string HttpConnection::ReadUntilClosed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!eof_) {
        if (pending_.size() > options_.max_response_bytes) {
            throw std::runtime_error("HTTP client: " + peer_ + " sent more than " +
                                     std::to_string(options_.max_response_bytes) + " bytes without closing");
        }
        const auto left = Left(deadline);
        if (left.count() <= 0 || !Receive(left)) {
            throw std::runtime_error("HTTP client: " + peer_ + " did not close the connection within " +
                                     Millis(timeout) + " (" + std::to_string(pending_.size()) + " bytes received)");
        }
    }
    return std::exchange(pending_, {});
}

bool HttpConnection::ClosedWithin(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!eof_) {
        pending_.clear();
        const auto left = Left(deadline);
        if (left.count() <= 0 || !Receive(left)) return false;
    }
    return true;
}

std::string RequestText(const std::string& method, const std::string& target, const std::string& body,
                        const HttpHeaders& headers, const std::string& host) {
    std::string text = method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n";
    bool has_length = false;
    for (const auto& [name, value] : headers) {
        text += name + ": " + value + "\r\n";
        const auto lower = Lower(name);
        if (lower == "content-length" || lower == "transfer-encoding") has_length = true;
    }
    if (!has_length && (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT")) {
        text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    text += "\r\n" + body;
    return text;
}

HttpResponse HttpClient::Request(const std::string& method, const std::string& target, const std::string& body,
                                 const HttpHeaders& headers) {
    if (!options_.keep_alive) {
        HttpHeaders with_close = headers;
        with_close.emplace_back("Connection", "close");
        HttpConnection connection(port_, options_);
        ++opened_;
        return connection.Request(method, target, body, with_close);
    }
    for (int attempt = 0;; ++attempt) {
        if (!connection_) {
            connection_ = std::make_unique<HttpConnection>(port_, options_);
            ++opened_;
        }
        try {
            auto response = connection_->Request(method, target, body, headers);
            if (Lower(response.Header("connection")) == "close") connection_.reset();
            return response;
        } catch (const std::runtime_error&) {
            connection_.reset();
            // A kept-alive connection the server closed in between: retry once on a new one.
            if (attempt > 0) throw;
        }
    }
}

}  // namespace marketplace::testing
