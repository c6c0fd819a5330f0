#include "health_probe.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "grpc/health/v1/health.grpc.pb.h"

namespace marketplace::rpc::tools {
namespace {

using Clock = std::chrono::steady_clock;

const char* StatusName(grpc::health::v1::HealthCheckResponse::ServingStatus status) {
    switch (status) {
        case grpc::health::v1::HealthCheckResponse::SERVING:
            return "SERVING";
        case grpc::health::v1::HealthCheckResponse::NOT_SERVING:
            return "NOT_SERVING";
        case grpc::health::v1::HealthCheckResponse::SERVICE_UNKNOWN:
            return "SERVICE_UNKNOWN";
        default:
            return "UNKNOWN";
    }
}

const char* CodeName(grpc::StatusCode code) {
    switch (code) {
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return "DEADLINE_EXCEEDED";
        case grpc::StatusCode::NOT_FOUND:
            return "NOT_FOUND";
        case grpc::StatusCode::UNAVAILABLE:
            return "UNAVAILABLE";
        case grpc::StatusCode::UNIMPLEMENTED:
            return "UNIMPLEMENTED";
        case grpc::StatusCode::CANCELLED:
            return "CANCELLED";
        default:
            return "ERROR";
    }
}

/// Milliseconds left until `deadline`, at least 0.
int MillisLeft(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

/// Closes the descriptor when it goes out of scope.
class Socket final {
public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

bool SplitHostPort(const std::string& host_port, std::string& host, std::string& port) {
    if (!host_port.empty() && host_port.front() == '[') {
        const auto close = host_port.find(']');
        if (close == std::string::npos || close + 1 >= host_port.size() || host_port[close + 1] != ':') return false;
        host = host_port.substr(1, close - 1);
        port = host_port.substr(close + 2);
    } else {
        const auto colon = host_port.rfind(':');
        if (colon == std::string::npos) return false;
        host = host_port.substr(0, colon);
        port = host_port.substr(colon + 1);
    }
    return !host.empty() && !port.empty() && port.find_first_not_of("0123456789") == std::string::npos;
}

/// Connects within the deadline; -1 and `error` set when no address answered.
int Connect(const std::string& host, const std::string& port, Clock::time_point deadline, std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        error = "cannot resolve '" + host + "': " + ::gai_strerror(rc);
        return -1;
    }
    int connected = -1;
    error = "no address of '" + host + "'";
    for (addrinfo* a = found; a != nullptr && connected < 0; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            connected = fd;
            break;
        }
        if (errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, MillisLeft(deadline)) == 1) {
                int so_error = 0;
                socklen_t len = sizeof so_error;
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
                if (so_error == 0) {
                    connected = fd;
                    break;
                }
                error = "connect: " + std::string(std::strerror(so_error));
            } else {
                error = "connect: timed out";
            }
        } else {
            error = "connect: " + std::string(std::strerror(errno));
        }
        ::close(fd);
    }
    ::freeaddrinfo(found);
    return connected;
}

}  // namespace

ProbeResult ProbeGrpc(const std::string& target, const std::string& service, std::chrono::milliseconds timeout) {
    auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    auto stub = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = stub->Check(&context, request, &response);
    if (!status.ok()) {
        std::string detail = CodeName(status.error_code());
        if (!status.error_message().empty()) detail += ": " + status.error_message();
        return {false, detail};
    }
    return {response.status() == grpc::health::v1::HealthCheckResponse::SERVING, StatusName(response.status())};
}

ProbeResult ProbeHttp(const std::string& host_port, const std::string& path, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string host, port;
    if (!SplitHostPort(host_port, host, port)) return {false, "target must be host:port, got '" + host_port + "'"};
    std::string error;
    Socket socket(Connect(host, port, deadline, error));
    if (socket.get() < 0) return {false, error};

    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host_port +
                                "\r\nUser-Agent: marketplace-healthcheck\r\nConnection: close\r\n\r\n";
    std::size_t sent = 0;
    while (sent < request.size()) {
        pollfd p{socket.get(), POLLOUT, 0};
        if (::poll(&p, 1, MillisLeft(deadline)) != 1) return {false, "send: timed out"};
        const ssize_t n = ::send(socket.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) return {false, "send: " + std::string(std::strerror(errno))};
        if (n > 0) sent += static_cast<std::size_t>(n);
    }

    // Only the status line matters: "HTTP/1.1 200 OK".
    std::string head;
    while (head.find("\r\n") == std::string::npos && head.size() < 4096) {
        pollfd p{socket.get(), POLLIN, 0};
        if (::poll(&p, 1, MillisLeft(deadline)) != 1) return {false, "no response: timed out"};
        char buffer[512];
        const ssize_t n = ::recv(socket.get(), buffer, sizeof buffer, 0);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return {false, "recv: " + std::string(std::strerror(errno))};
        }
        head.append(buffer, static_cast<std::size_t>(n));
    }
    if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12 || head[8] != ' ') {
        return {false, "not an HTTP response"};
    }
    const std::string code = head.substr(9, 3);
    if (code.find_first_not_of("0123456789") != std::string::npos) return {false, "not an HTTP response"};
    return {code[0] == '2', "HTTP " + code};
}

std::optional<std::chrono::milliseconds> ParseTimeout(const std::string& text) {
    const auto digits_end = text.find_first_not_of("0123456789");
    if (digits_end == 0 || digits_end == std::string::npos || digits_end > 9) return std::nullopt;
    const long long value = std::stoll(text.substr(0, digits_end));
    const std::string unit = text.substr(digits_end);
    std::chrono::milliseconds out;
    if (unit == "ms") {
        out = std::chrono::milliseconds(value);
    } else if (unit == "s") {
        out = std::chrono::seconds(value);
    } else if (unit == "m") {
        out = std::chrono::minutes(value);
    } else {
        return std::nullopt;
    }
    if (out.count() <= 0) return std::nullopt;
    return out;
}

}  // namespace marketplace::rpc::tools
