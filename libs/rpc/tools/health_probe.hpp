#pragma once
// One health probe of a running service, for container health checks and scripts:
//   - gRPC: grpc.health.v1.Health/Check for a service name ("" is the whole server);
//   - HTTP: GET <path>, healthy on any 2xx status (the gateway's /healthz and /readyz).
// Both are bounded by a deadline and never throw; the result says what was seen.
#include <chrono>
#include <optional>
#include <string>

namespace marketplace::rpc::tools {

struct ProbeResult {
    bool healthy = false;
    /// What was seen, for one line of output: "SERVING", "NOT_SERVING", "HTTP 503", "UNAVAILABLE: ...".
    std::string detail;
};

/// Calls grpc.health.v1.Health/Check on `target` (any gRPC target: host:port, ipv4:..., dns:///...).
ProbeResult ProbeGrpc(const std::string& target, const std::string& service, std::chrono::milliseconds timeout);

/// Sends GET `path` to `host_port` ("127.0.0.1:8080", "[::1]:8080", "gateway:8080") over HTTP/1.1.
ProbeResult ProbeHttp(const std::string& host_port, const std::string& path, std::chrono::milliseconds timeout);

/// "250ms", "2s", "1m" (a whole number and a unit); nothing when malformed or not positive.
std::optional<std::chrono::milliseconds> ParseTimeout(const std::string& text);

}  // namespace marketplace::rpc::tools
