#include "control_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "log.hpp"

namespace marketplace::devbroker {

namespace {
bool SendAll(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }
}  // namespace

ControlServer::ControlServer(CommandHandler& handler) : handler_(handler) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) {
        throw std::runtime_error(Errno("control port: socket"));
    }
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
        const std::string message = Errno("control port: bind/listen on 127.0.0.1");
        ::close(listen_fd_);
        throw std::runtime_error(message);
    }
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) {
        const std::string message = Errno("control port: pipe");
        ::close(listen_fd_);
        throw std::runtime_error(message);
    }
}

ControlServer::~ControlServer() {
    Stop();
    ::close(listen_fd_);
    ::close(wake_pipe_[0]);
    ::close(wake_pipe_[1]);
}

void ControlServer::Start() {
    accept_thread_ = std::thread([this] { AcceptLoop(); });
}

void ControlServer::Stop() {
    {
        const std::lock_guard lock(mutex_);
        if (stopped_) {
            return;
        }
        stopped_ = true;
    }
    const char byte = 1;
    while (::write(wake_pipe_[1], &byte, 1) < 0 && errno == EINTR) {
    }
    if (accept_thread_.joinable()) {
        accept_thread_.join();
    }
    Reap(true);
}

void ControlServer::AcceptLoop() {
    for (;;) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
        if (::poll(fds, 2, 1000) < 0) {
            if (errno == EINTR) {
                continue;
            }
            Log(Errno("control port: poll"));
            return;
        }
        if (fds[1].revents != 0) {
            return;
        }
        Reap(false);
        if ((fds[0].revents & POLLIN) == 0) {
            continue;
        }
        sockaddr_in peer{};
        socklen_t len = sizeof(peer);
        const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
                Log(Errno("control port: accept"));
            }
            continue;
        }
        const std::string peer_name = "127.0.0.1:" + std::to_string(ntohs(peer.sin_port));
        const std::lock_guard lock(mutex_);
        if (connections_.size() >= kMaxConnections) {
            SendAll(fd, "error too many control connections (max " + std::to_string(kMaxConnections) + ")\n");
            ::close(fd);
            Log("control: refused " + peer_name + ": too many connections");
            continue;
        }
        timeval idle{};
        idle.tv_sec = kIdleTimeoutSeconds;
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
        auto connection = std::make_unique<Connection>();
        connection->fd = fd;
        connection->peer = peer_name;
        Connection& ref = *connection;
        connections_.push_back(std::move(connection));
        ref.thread = std::thread([this, &ref] { Serve(ref); });
    }
}

void ControlServer::Serve(Connection& connection) {
    std::string buffer;
    char chunk[1024];
    bool open = true;
    while (open) {
        const ssize_t n = ::recv(connection.fd, chunk, sizeof(chunk), 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;  // closed, shut down by Stop(), idle timeout or error
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
        std::size_t newline;
        bool too_long = false;
        while (open && (newline = buffer.find('\n')) != std::string::npos) {
            std::string line = buffer.substr(0, newline);
            buffer.erase(0, newline + 1);
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            if (line.size() > kMaxLineBytes) {
                too_long = true;  // reported below
                break;
            }
            const std::string reply = handler_.Handle(line);
            Log("control " + connection.peer + ": " + Printable(line, 200) + " -> " + Printable(reply, 300));
            open = SendAll(connection.fd, reply + "\n");
        }
        if (open && (too_long || buffer.size() > kMaxLineBytes)) {
            SendAll(connection.fd, "error line too long (max " + std::to_string(kMaxLineBytes) + " bytes)\n");
            Log("control " + connection.peer + ": line too long; connection closed");
            open = false;
        }
    }
    connection.done = true;
}

void ControlServer::Reap(bool all) {
    std::list<std::unique_ptr<Connection>> finished;
    {
        const std::lock_guard lock(mutex_);
        for (auto it = connections_.begin(); it != connections_.end();) {
            if (all || (*it)->done) {
                if (all) {
                    ::shutdown((*it)->fd, SHUT_RDWR);
                }
                finished.splice(finished.end(), connections_, it++);
            } else {
                ++it;
            }
        }
    }
    for (auto& connection : finished) {
        if (connection->thread.joinable()) {
            connection->thread.join();
        }
        ::close(connection->fd);
    }
}

}  // namespace marketplace::devbroker
