#include "loopback_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <stdexcept>

namespace marketplace::e2e::loopback {

// A socket from `source` (a loopback address) connected to 127.0.0.1:port.
int Connect(const std::string& source, int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    timeval tv{30, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot connect from " + source + " to port " + std::to_string(port));
    }
    return fd;
}

// Sends one request on `fd` (Connection: close) and reads the response until the server closes.
Reply Exchange(int fd, const std::string& method, const std::string& path, const std::string& body,
               const std::map<std::string, std::string>& headers) {
    std::string out = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
    if (!body.empty()) out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    std::string in;
    char buf[8192];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    Reply reply;
    const auto head_end = in.find("\r\n\r\n");
    if (in.size() < 12 || head_end == std::string::npos) throw std::runtime_error("no HTTP response: " + in);
    reply.status = std::stoi(in.substr(9, 3));
    std::size_t line = in.find("\r\n") + 2;
    while (line < head_end) {
        const auto eol = in.find("\r\n", line);
        const auto colon = in.find(':', line);
        if (colon != std::string::npos && colon < eol) {
            std::string name = in.substr(line, colon - line);
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string value = in.substr(colon + 1, eol - colon - 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            reply.headers[name] = value;
        }
        line = eol + 2;
    }
    reply.body = in.substr(head_end + 4);
    return reply;
}

}  // namespace marketplace::e2e::loopback
