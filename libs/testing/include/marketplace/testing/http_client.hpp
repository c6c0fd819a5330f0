#pragma once
// The tests' HTTP/1.1 client: plain IPv4 sockets whose every wait is bounded (connect, send, each
// response), Beast's parser for responses (Content-Length, chunked, or read to the close; 1xx
// skipped), a bound on a response's size, and raw byte access for malformed and slow requests.
// Each failure throws std::runtime_error naming the peer, the request and what went wrong.
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace marketplace::testing {

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    /// A header's value ("" when absent); `lower_name` lower-case.
    std::string Header(const std::string& lower_name) const;
    /// The body as JSON ({} when empty); throws std::runtime_error naming the body when it is not JSON.
    nlohmann::json Json() const;
    /// The error body's "code" ("" when the body is empty or has none).
    std::string Code() const;
};

/// Request headers in the order they are sent (a name may repeat).
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpOptions {
    /// The server's IPv4 address.
    std::string host = "127.0.0.1";
    /// The local IPv4 address to connect from ("" lets the kernel choose): any of 127.0.0.0/8 is this
    /// machine, so one test can be several clients on one host.
    std::string source;
    std::chrono::milliseconds connect_timeout{10'000};
    /// Bounds each send and each response (from the request's last byte to the response's last).
    std::chrono::milliseconds timeout{10'000};
    /// A response whose body is larger fails (its headers are bounded at 64 KiB).
    std::size_t max_response_bytes = 64 * 1024 * 1024;
    /// false: every request says "Connection: close" and goes on a connection of its own.
    bool keep_alive = true;
};

/// One TCP connection to options.host:port.
class HttpConnection final {
public:
    /// Connects within options.connect_timeout; throws naming the address when it cannot.
    explicit HttpConnection(int port, HttpOptions options = {});
    ~HttpConnection();
    HttpConnection(HttpConnection&& other) noexcept;
    HttpConnection& operator=(HttpConnection&& other) noexcept;
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    /// Sends `bytes` as they are (all of them, within options.timeout).
    void Send(std::string_view bytes);
    /// Reads one complete response (skipping 1xx); `to_head`: the answer to a HEAD request, which has
    /// no body whatever its headers say. Throws on timeout, on a response that is malformed or larger
    /// than options.max_response_bytes, or when the peer closes before it is complete.
    HttpResponse ReadResponse(std::chrono::milliseconds timeout, bool to_head = false);
    HttpResponse ReadResponse() { return ReadResponse(options_.timeout); }
    /// Sends RequestText(...) and reads its response.
    HttpResponse Request(const std::string& method, const std::string& target, const std::string& body = {},
                         const HttpHeaders& headers = {});
    /// Waits until `text` has arrived and drops everything up to its end; false on timeout or close.
    bool WaitFor(std::string_view text, std::chrono::milliseconds timeout);
    /// The raw bytes the peer sends until it closes the connection (for tests of the wire format).
    /// Throws when it does not close within `timeout` or sends more than options.max_response_bytes.
    std::string ReadUntilClosed(std::chrono::milliseconds timeout);
    /// True when the peer closes the connection within `timeout` (whatever it sends first is dropped).
    bool ClosedWithin(std::chrono::milliseconds timeout);

    /// "127.0.0.1:8080", for messages.
    const std::string& peer() const noexcept { return peer_; }

private:
    /// Appends what arrives within `timeout` to pending_; false on timeout, true with eof_ set on close.
    bool Receive(std::chrono::milliseconds timeout);

    int fd_ = -1;
    HttpOptions options_;
    std::string peer_;
    std::string pending_;
    bool eof_ = false;
};

/// Requests to one server. With options.keep_alive it reuses its connection and, when a request on
/// it fails (the server closed it in between), retries that request once on a new one.
class HttpClient final {
public:
    explicit HttpClient(int port, HttpOptions options = {}) : port_(port), options_(std::move(options)) {}

    HttpResponse Request(const std::string& method, const std::string& target, const std::string& body = {},
                         const HttpHeaders& headers = {});
    HttpResponse Get(const std::string& target, const HttpHeaders& headers = {}) {
        return Request("GET", target, {}, headers);
    }
    HttpResponse Post(const std::string& target, const std::string& body, const HttpHeaders& headers = {}) {
        return Request("POST", target, body, headers);
    }

    /// How many connections were opened so far.
    int connections_opened() const noexcept { return opened_; }

private:
    int port_;
    HttpOptions options_;
    int opened_ = 0;
    std::unique_ptr<HttpConnection> connection_;
};

/// The text of a request as a client sends it: the request line, "Host: <host>", `headers` in order,
/// Content-Length (unless `headers` has it or Transfer-Encoding) when there is a body or the method
/// is POST, PUT or PATCH, then the body.
std::string RequestText(const std::string& method, const std::string& target, const std::string& body,
                        const HttpHeaders& headers, const std::string& host = "127.0.0.1");

}  // namespace marketplace::testing
