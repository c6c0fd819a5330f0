// marketplace-healthcheck against real servers on loopback: a gRPC server with the standard health
// service, sockets that refuse or never answer, and a one-shot HTTP server. The binary runs as a
// container health check would: a child process, judged by its exit status and its line of output.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <catch2/catch.hpp>

#include "health_probe.hpp"

namespace {

struct Run {
    int status = -1;
    std::string output;
};

/// Runs the binary with `args` (no shell metacharacters) and returns its exit status and output.
Run Healthcheck(const std::string& args) {
    const std::string command = std::string(HEALTHCHECK_BIN) + " " + args + " 2>&1";
    Run run;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 512> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) run.output += buffer.data();
    const int raw = ::pclose(pipe);
    REQUIRE(WIFEXITED(raw));
    run.status = WEXITSTATUS(raw);
    return run;
}

/// A gRPC server on an ephemeral loopback port with gRPC's own grpc.health.v1.Health service (the
/// one every marketplace service runs) and reflection, as a synchronous service gRPC requires.
struct HealthServer {
    HealthServer() {
        grpc::EnableDefaultHealthCheckService(true);
        grpc::reflection::InitProtoReflectionServerBuilderPlugin();
        grpc::ServerBuilder builder;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
        server = builder.BuildAndStart();
        REQUIRE(server != nullptr);
        auto* health = server->GetHealthCheckService();
        REQUIRE(health != nullptr);
        health->SetServingStatus("marketplace.test.v1.ReadyService", true);
        health->SetServingStatus("marketplace.test.v1.DrainingService", false);
    }
    ~HealthServer() { server->Shutdown(std::chrono::system_clock::now()); }
    std::string target() const { return "127.0.0.1:" + std::to_string(port); }

    int port = 0;
    std::unique_ptr<grpc::Server> server;
};

/// A TCP socket bound to an ephemeral loopback port; listening (connections wait in the backlog,
/// never accepted, never answered) or not (connections are refused).
struct Socket {
    explicit Socket(bool listening) {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        if (listening) REQUIRE(::listen(fd, 8) == 0);
        socklen_t len = sizeof address;
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) == 0);
        port = ntohs(address.sin_port);
    }
    ~Socket() { ::close(fd); }
    std::string target() const { return "127.0.0.1:" + std::to_string(port); }

    int fd = -1;
    int port = 0;
};

/// Accepts one connection, reads the request head, answers with `status_line` and closes.
struct OneShotHttpServer {
    explicit OneShotHttpServer(std::string status_line) : socket(true) {
        thread = std::thread([this, status_line = std::move(status_line)] {
            const int client = ::accept(socket.fd, nullptr, nullptr);
            if (client < 0) return;
            char buffer[1024];
            while (request.find("\r\n\r\n") == std::string::npos) {
                const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
                if (n <= 0) break;
                request.append(buffer, static_cast<std::size_t>(n));
            }
            const std::string response = status_line + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
            (void)::send(client, response.data(), response.size(), MSG_NOSIGNAL);
            ::close(client);
        });
    }
    ~OneShotHttpServer() { Stop(); }

    /// Waits for the server to finish (or stops it when no client came) and returns what it read.
    std::string Request() {
        Stop();
        return request;
    }

    void Stop() {
        if (!thread.joinable()) return;
        ::shutdown(socket.fd, SHUT_RDWR);  // unblocks accept() when no client came
        thread.join();
    }

    Socket socket;
    std::string request;
    std::thread thread;
};

}  // namespace

TEST_CASE("Healthcheck: a serving gRPC server is healthy, for the whole server and a named service", "[healthcheck]") {
    HealthServer server;
    const Run whole = Healthcheck("--timeout 5s " + server.target());
    CHECK(whole.status == 0);
    CHECK(whole.output == server.target() + " SERVING\n");

    const Run named = Healthcheck("--service marketplace.test.v1.ReadyService " + server.target());
    CHECK(named.status == 0);
    CHECK(named.output.find("SERVING") != std::string::npos);
}

TEST_CASE("Healthcheck: a service that is not serving, or unknown to the server, is unhealthy", "[healthcheck]") {
    HealthServer server;
    const Run draining = Healthcheck("--service marketplace.test.v1.DrainingService " + server.target());
    CHECK(draining.status == 1);
    CHECK(draining.output.find("NOT_SERVING") != std::string::npos);

    const Run unknown = Healthcheck("--service marketplace.test.v1.NoSuchService " + server.target());
    CHECK(unknown.status == 1);
    CHECK(unknown.output.find("NOT_FOUND") != std::string::npos);
}

TEST_CASE("Healthcheck: a refused connection and a server that never answers are unhealthy", "[healthcheck]") {
    Socket refusing(false);
    const Run refused = Healthcheck("--timeout 5s " + refusing.target());
    CHECK(refused.status == 1);
    CHECK(refused.output.find("UNAVAILABLE") != std::string::npos);

    Socket silent(true);
    const Run timed_out = Healthcheck("--timeout 300ms " + silent.target());
    CHECK(timed_out.status == 1);
    CHECK(timed_out.output.find("DEADLINE_EXCEEDED") != std::string::npos);

    const Run http_timed_out = Healthcheck("--timeout 300ms --http /healthz " + silent.target());
    CHECK(http_timed_out.status == 1);
    CHECK(http_timed_out.output.find("timed out") != std::string::npos);

    const Run http_refused = Healthcheck("--http /healthz " + refusing.target());
    CHECK(http_refused.status == 1);
    CHECK(http_refused.output.find("refused") != std::string::npos);
}

TEST_CASE("Healthcheck: HTTP mode sends GET for the path and is healthy only on 2xx", "[healthcheck]") {
    {
        OneShotHttpServer server("HTTP/1.1 200 OK");
        const Run run = Healthcheck("--timeout 5s --http /healthz " + server.socket.target());
        CHECK(run.status == 0);
        CHECK(run.output == server.socket.target() + " HTTP 200\n");
        CHECK(server.Request().rfind("GET /healthz HTTP/1.1\r\n", 0) == 0);
    }
    {
        OneShotHttpServer server("HTTP/1.1 503 Service Unavailable");
        const Run run = Healthcheck("--http /readyz " + server.socket.target());
        CHECK(run.status == 1);
        CHECK(run.output.find("HTTP 503") != std::string::npos);
        CHECK(server.Request().rfind("GET /readyz HTTP/1.1\r\n", 0) == 0);
    }
}

TEST_CASE("Healthcheck: usage errors exit with status 2 and name the argument", "[healthcheck]") {
    CHECK(Healthcheck("").status == 2);
    const Run bad_timeout = Healthcheck("--timeout soon 127.0.0.1:1");
    CHECK(bad_timeout.status == 2);
    CHECK(bad_timeout.output.find("--timeout") != std::string::npos);
    const Run bad_path = Healthcheck("--http healthz 127.0.0.1:1");
    CHECK(bad_path.status == 2);
    CHECK(bad_path.output.find("--http") != std::string::npos);
    CHECK(Healthcheck("--http /healthz --service x 127.0.0.1:1").status == 2);
}

TEST_CASE("Healthcheck: timeouts are a whole number with ms, s or m", "[healthcheck]") {
    using marketplace::rpc::tools::ParseTimeout;
    CHECK(ParseTimeout("250ms") == std::chrono::milliseconds(250));
    CHECK(ParseTimeout("2s") == std::chrono::milliseconds(2000));
    CHECK(ParseTimeout("1m") == std::chrono::milliseconds(60000));
    CHECK_FALSE(ParseTimeout("0s"));
    CHECK_FALSE(ParseTimeout("2"));
    CHECK_FALSE(ParseTimeout("s"));
    CHECK_FALSE(ParseTimeout("2h"));
    CHECK_FALSE(ParseTimeout("-1s"));
    CHECK_FALSE(ParseTimeout("9999999999s"));
}
