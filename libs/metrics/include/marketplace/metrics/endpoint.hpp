#pragma once
// The HTTP endpoint serving the process's metrics as GET /metrics.
#include <memory>
#include <string>

namespace marketplace::core {
class EnvReader;
}  // namespace marketplace::core

namespace marketplace::metrics {

struct EndpointConfig {
    /// host:port to listen on; "" when the endpoint is off.
    std::string listen;

    /// Reads METRICS_LISTEN: "host:port" (port 0 picks a free one), or "off". Unset: `fallback`.
    /// A malformed value is reported through `env` (configuration error naming METRICS_LISTEN).
    static EndpointConfig FromEnv(core::EnvReader& env, const std::string& fallback);
};

/// Why `value` is not a METRICS_LISTEN value ("" when it is one).
std::string ListenProblem(const std::string& value);

class Endpoint final {
public:
    /// Listens on `listen` (host:port) and serves GET /metrics. Throws std::runtime_error naming
    /// METRICS_LISTEN when the address cannot be bound.
    explicit Endpoint(const std::string& listen);
    ~Endpoint();
    Endpoint(const Endpoint&) = delete;
    Endpoint& operator=(const Endpoint&) = delete;

    /// The port it listens on.
    int port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace marketplace::metrics
