#pragma once
// The gRPC server bootstrap every service uses:
//   - listens on a loopback address by default (port 0 picks a free port; Start() returns it);
//   - serves grpc.health.v1.Health (SERVING after Start, NOT_SERVING once a drain begins) and
//     server reflection;
//   - runs an interceptor per call that reads or makes the request id (echoed as x-request-id in
//     the reply's initial metadata), continues or starts the trace, remembers the bearer token for
//     the handler's CallScope, and writes one JSON log line per call (method, code, duration);
//   - drains on SIGTERM/SIGINT (when asked to) or on Drain(): health turns NOT_SERVING, calls that
//     arrive from then on are refused with UNAVAILABLE (by Handle), calls in flight may finish
//     within drain_timeout, then the server shuts down: what is left is cancelled (its callers get
//     CANCELLED at once), though a sync handler runs on until it returns (check IsCancelled()).
//
//   rpc::Server server(rpc::ServerOptions::FromEnv(env, 50051));
//   server.AddService(&payments, "marketplace.payments.v1.PaymentsService");
//   server.Start();
//   server.Wait();  // returns after a signal-triggered drain
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "marketplace/core/clock.hpp"
#include "marketplace/rpc/auth.hpp"

namespace grpc {
class Service;
}  // namespace grpc

namespace marketplace::core {
class EnvReader;
}  // namespace marketplace::core

namespace marketplace::rpc {

struct ServerOptions {
    /// host:port; port 0 binds an ephemeral port.
    std::string listen_address = "127.0.0.1:0";
    /// How long calls in flight may run once a drain begins.
    std::chrono::milliseconds drain_timeout{10'000};
    /// Verifies bearer tokens for CallScope::OptionalClaims/RequireClaims; null: none accepted.
    std::shared_ptr<const TokenVerifier> token_verifier;
    /// Checks claim expiry; null: the system clock.
    std::shared_ptr<const core::Clock> clock;
    /// Drain on SIGTERM and SIGINT (handlers installed by Start; after the first signal, or when the
    /// server goes away, the previous handlers are back, so a second signal ends the process).
    bool handle_signals = false;
    /// Smallest keepalive ping interval accepted from clients (they get GOAWAY when pinging faster).
    std::chrono::milliseconds min_client_ping_interval{10'000};
    int max_receive_message_bytes = 4 * 1024 * 1024;
    /// The synchronous server's threads: a thread that finishes a call goes back to waiting for the
    /// next one while fewer than max_pollers wait, and ends otherwise (gRPC's default of 2 ended every
    /// thread beyond two after its call, so a busy server started a thread per call; with 32, a server
    /// with 64 calls in flight still started and ended hundreds a second). So as long as fewer than
    /// max_pollers calls run at once, no thread is started per call. At most max_threads in all; calls
    /// beyond are refused RESOURCE_EXHAUSTED at once rather than queued. An open server stream holds a
    /// thread for as long as it stays open; idle threads beyond min_pollers end after a while.
    int min_pollers = 1;
    int max_pollers = 256;
    int max_threads = 4096;

    /// Reads <prefix>GRPC_LISTEN (default 127.0.0.1:<default_port>), GRPC_DRAIN_TIMEOUT (default 10s),
    /// GRPC_MAX_RECEIVE_BYTES, GRPC_MAX_POLLERS (1..1024), GRPC_MAX_THREADS (16..100000); handles signals.
    static ServerOptions FromEnv(core::EnvReader& env, int default_port);
};

class Server final {
public:
    explicit Server(ServerOptions options);
    /// Drains (bounded by drain_timeout) if still running.
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Registers a service (not owned; it must outlive the server). When `health_name` is given
    /// (the full service name, "marketplace.payments.v1.PaymentsService"), health reports it too.
    /// Only before Start().
    void AddService(grpc::Service* service, std::string_view health_name = {});

    /// Builds and starts the server; health turns SERVING. Returns the bound port. Throws
    /// std::runtime_error when the address cannot be bound.
    int Start();
    int port() const noexcept;

    /// Asks for a drain and returns at once (what the signal handler does); Wait() performs it.
    void RequestDrain() noexcept;
    /// Blocks until a drain is requested (signal or RequestDrain), performs it, and returns when the
    /// server has shut down. Returns at once when the server already has, or was never started.
    void Wait();
    /// Blocks until a drain is requested (signal or RequestDrain) or the server has shut down, without
    /// draining: the caller does what must come before the drain, then calls Drain().
    void WaitForDrainRequest();
    /// Drains now and returns when the server has shut down. Safe to call from several threads
    /// (the others wait for the first) and more than once.
    void Drain();

    bool draining() const noexcept;
    /// Accepted application calls not finished yet (health and reflection calls are not counted).
    std::size_t in_flight() const noexcept;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace marketplace::rpc
