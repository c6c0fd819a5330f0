#include "ctl_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "kafka_names.hpp"
#include "state_files.hpp"

namespace marketplace::devbroker {

namespace {
constexpr int kConnectTimeoutMs = 5000;
constexpr int kReplyTimeoutMs = 30000;
constexpr std::size_t kMaxReplyBytes = 1 << 20;

class Socket final {
public:
    Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        if (fd_ < 0) {
            throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        }
    }
    ~Socket() { ::close(fd_); }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const { return fd_; }

private:
    int fd_;
};

void WaitFor(int fd, short events, int timeout_ms, const char* what) {
    pollfd pfd{fd, events, 0};
    int rc;
    while ((rc = ::poll(&pfd, 1, timeout_ms)) < 0 && errno == EINTR) {
    }
    if (rc == 0) {
        throw std::runtime_error(std::string("timed out ") + what);
    }
    if (rc < 0) {
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    }
}

std::string Exchange(int port, const std::string& line) {
    Socket socket;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const int flags = ::fcntl(socket.fd(), F_GETFL);
    ::fcntl(socket.fd(), F_SETFL, flags | O_NONBLOCK);
    if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        if (errno != EINPROGRESS) {
            throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " +
                                     std::strerror(errno));
        }
        WaitFor(socket.fd(), POLLOUT, kConnectTimeoutMs, "connecting");
        int error = 0;
        socklen_t len = sizeof(error);
        ::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &len);
        if (error != 0) {
            throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " +
                                     std::strerror(error));
        }
    }
    const std::string request = line + "\n";
    std::size_t sent = 0;
    while (sent < request.size()) {
        WaitFor(socket.fd(), POLLOUT, kReplyTimeoutMs, "sending the command");
        const ssize_t n = ::send(socket.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            throw std::runtime_error(std::string("send: ") + std::strerror(errno));
        }
        sent += static_cast<std::size_t>(n);
    }
    std::string reply;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kReplyTimeoutMs);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        WaitFor(socket.fd(), POLLIN, static_cast<int>(std::max<long long>(left.count(), 1)), "waiting for the reply");
        char chunk[4096];
        const ssize_t n = ::recv(socket.fd(), chunk, sizeof(chunk), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n < 0) {
            throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
        }
        if (n == 0) {
            throw std::runtime_error("the broker closed the connection without a reply");
        }
        reply.append(chunk, static_cast<std::size_t>(n));
        if (const auto newline = reply.find('\n'); newline != std::string::npos) {
            return reply.substr(0, newline);
        }
        if (reply.size() > kMaxReplyBytes) {
            throw std::runtime_error("reply too long");
        }
    }
}
}  // namespace

int RunCtl(const std::string& state_dir, const std::vector<std::string>& words) {
    const StatePaths paths = PathsFor(state_dir);
    const auto port_text = ReadTrimmed(paths.control);
    if (!port_text) {
        std::cerr << "devbroker ctl: no control port file at " << paths.control
                  << ": the dev broker is not running for this state folder (start the local stack with "
                     "'make up' or deploy/local/stack.sh up)\n";
        return 1;
    }
    const auto port = ParseInt(*port_text, 1, 65535);
    if (!port) {
        std::cerr << "devbroker ctl: " << paths.control << " does not hold a port number\n";
        return 1;
    }
    std::string line;
    for (const auto& word : words) {
        if (word.find_first_of("\r\n") != std::string::npos) {
            std::cerr << "devbroker ctl: a command word must not contain a line break\n";
            return 1;
        }
        line += (line.empty() ? "" : " ") + word;
    }
    try {
        const std::string reply = Exchange(*port, line);
        std::cout << reply << '\n';
        return (reply == "ok" || reply.starts_with("ok ")) ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "devbroker ctl: control port 127.0.0.1:" << *port << " (from " << paths.control
                  << "): " << e.what() << " (is the dev broker running? see the log under " << state_dir
                  << "/logs/devbroker.log)\n";
        return 1;
    }
}

}  // namespace marketplace::devbroker
