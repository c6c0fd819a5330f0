#pragma once
// A small HTTP/1.1 client for the gateway's tests: plain sockets with poll() timeouts (every read is
// bounded), Beast's parser for responses, and raw byte access for malformed and slow requests.
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace marketplace::gateway::test {

struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    std::string Header(const std::string& lower_name) const;
    /// The body as JSON (throws when it is not).
    nlohmann::json Json() const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

/// One TCP connection to 127.0.0.1:port.
class Connection final {
public:
    explicit Connection(int port);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void Send(std::string_view bytes);
    /// Reads one complete response (skipping 1xx). Throws std::runtime_error on timeout, or when the
    /// peer closes before a response is complete.
    HttpResult ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Waits until `text` has arrived and drops everything up to its end; false on timeout or close.
    bool WaitFor(std::string_view text, std::chrono::milliseconds timeout);
    /// True when the peer closes the connection within `timeout` (whatever it sends first is dropped).
    bool ClosedWithin(std::chrono::milliseconds timeout);

private:
    /// Appends what arrives within `timeout` to pending_; false on timeout, true with eof_ set on close.
    bool Receive(std::chrono::milliseconds timeout);

    int fd_ = -1;
    std::string pending_;
    bool eof_ = false;
};

/// A keep-alive client: reuses its connection, reconnects when the server closed it.
class HttpClient final {
public:
    explicit HttpClient(int port) : port_(port) {}

    HttpResult Request(const std::string& method, const std::string& target, const std::string& body = {},
                       const Headers& headers = {});
    HttpResult Get(const std::string& target, const Headers& headers = {}) {
        return Request("GET", target, {}, headers);
    }
    HttpResult Post(const std::string& target, const std::string& body, const Headers& headers = {}) {
        return Request("POST", target, body, headers);
    }

    /// How many connections were opened so far.
    int connections_opened() const noexcept { return opened_; }

private:
    int port_;
    int opened_ = 0;
    std::unique_ptr<Connection> connection_;
};

/// The text of a request as a client would send it (Host and Content-Length added).
std::string RequestText(const std::string& method, const std::string& target, const std::string& body,
                        const Headers& headers);

}  // namespace marketplace::gateway::test
