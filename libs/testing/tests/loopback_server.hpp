#pragma once
// A tiny TCP server on 127.0.0.1 for the clients' tests: one thread accepts connections one after
// the other and hands each to the test's handler (which answers whatever bytes the test wants).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace marketplace::testing::loopback {

/// One accepted connection, as the handler sees it.
class Peer final {
public:
    Peer(int fd, std::string address) : fd_(fd), address_(std::move(address)) {}
    ~Peer() { ::close(fd_); }
    Peer(const Peer&) = delete;
    Peer& operator=(const Peer&) = delete;

    int fd() const { return fd_; }
    /// The client's address.
    const std::string& address() const { return address_; }

    /// One request: its head and its Content-Length body; "" when the client closed first or nothing
    /// came within 5 s.
    std::string ReadRequest() {
        std::size_t head_end;
        while ((head_end = pending_.find("\r\n\r\n")) == std::string::npos) {
            if (!Receive()) return {};
        }
        std::size_t length = 0;
        const auto at = pending_.find("Content-Length: ");
        if (at != std::string::npos && at < head_end) length = std::stoul(pending_.substr(at + 16));
        while (pending_.size() < head_end + 4 + length) {
            if (!Receive()) return {};
        }
        std::string request = pending_.substr(0, head_end + 4 + length);
        pending_.erase(0, request.size());
        return request;
    }
    void Write(const std::string& bytes) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<std::size_t>(n);
        }
    }
    /// True when the client closed within 5 s.
    bool ClientClosed() {
        while (Receive()) {
        }
        return closed_;
    }

private:
    bool Receive() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) return false;
        char buffer[4096];
        const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) {
            closed_ = true;
            return false;
        }
        pending_.append(buffer, static_cast<std::size_t>(n));
        return true;
    }

    int fd_;
    std::string address_;
    std::string pending_;
    bool closed_ = false;
};

class Server final {
public:
    using Handler = std::function<void(Server&, Peer&)>;

    explicit Server(Handler handler) : handler_(std::move(handler)) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listen_fd_, 16) != 0 ||
            ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            throw std::runtime_error("loopback server: cannot listen on 127.0.0.1");
        }
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { Serve(); });
    }
    ~Server() {
        stop_ = true;
        thread_.join();
        ::close(listen_fd_);
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    int port() const { return port_; }
    int accepted() const { return accepted_.load(); }
    /// The requests the handlers read, in order.
    std::vector<std::string> requests() {
        std::lock_guard lock(mu_);
        return requests_;
    }
    void Record(const std::string& request) {
        std::lock_guard lock(mu_);
        requests_.push_back(request);
    }

private:
    void Serve() {
        while (!stop_) {
            pollfd p{listen_fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            sockaddr_in from{};
            socklen_t length = sizeof from;
            const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&from), &length, SOCK_CLOEXEC);
            if (fd < 0) continue;
            ++accepted_;
            char text[INET_ADDRSTRLEN] = {};
            ::inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
            Peer peer(fd, text);
            handler_(*this, peer);
        }
    }

    Handler handler_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0};
    std::mutex mu_;
    std::vector<std::string> requests_;
    std::thread thread_;
};

}  // namespace marketplace::testing::loopback
