#include "marketplace/rpc/server.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "call_interceptor.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/core/log.hpp"
#include "signal_drain.hpp"

namespace marketplace::rpc {
namespace log = core::log;

ServerOptions ServerOptions::FromEnv(core::EnvReader& env, int default_port) {
    ServerOptions options;
    options.listen_address = env.String("GRPC_LISTEN", "127.0.0.1:" + std::to_string(default_port));
    options.drain_timeout = env.Duration("GRPC_DRAIN_TIMEOUT", std::chrono::seconds(10), std::chrono::milliseconds(0),
                                         std::chrono::minutes(10));
    options.max_receive_message_bytes =
        static_cast<int>(env.Int("GRPC_MAX_RECEIVE_BYTES", 4 * 1024 * 1024, 1024, 256 * 1024 * 1024));
    options.max_pollers = static_cast<int>(env.Int("GRPC_MAX_POLLERS", options.max_pollers, 1, 1024));
    options.max_threads = static_cast<int>(env.Int("GRPC_MAX_THREADS", options.max_threads, 16, 100000));
    options.handle_signals = true;
    return options;
}

struct Server::Impl {
    explicit Impl(ServerOptions o) : options(std::move(o)), shared(std::make_shared<impl::ServerShared>()) {
        shared->verifier = options.token_verifier;
        shared->clock = options.clock;
    }

    void SetHealth(bool serving) {
        auto* health = server->GetHealthCheckService();
        if (health == nullptr) return;
        health->SetServingStatus(serving);  // every service, and the overall "" entry
        for (const auto& [service, name] : services) {
            if (!name.empty()) health->SetServingStatus(name, serving);
        }
    }

    ServerOptions options;
    std::shared_ptr<impl::ServerShared> shared;
    std::vector<std::pair<grpc::Service*, std::string>> services;
    std::unique_ptr<grpc::Server> server;
    int port = 0;
    int signal_id = 0;

    std::mutex mu;
    std::condition_variable cv;
    bool started = false;
    bool drain_requested = false;
    bool draining = false;  // a Drain() is running or has run
    bool shut_down = false;
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() {
    try {
        Drain();
    } catch (const std::exception& e) {
        log::Error("gRPC server shutdown failed", {{"error", e.what()}});
    }
    if (impl_->signal_id != 0) impl::RemoveSignalCallback(impl_->signal_id);
}

void Server::AddService(grpc::Service* service, std::string_view health_name) {
    std::lock_guard lock(impl_->mu);
    if (impl_->started) throw std::logic_error("rpc::Server::AddService after Start");
    impl_->services.emplace_back(service, std::string(health_name));
}

int Server::Start() {
    std::lock_guard lock(impl_->mu);
    if (impl_->started || impl_->shut_down) throw std::logic_error("rpc::Server::Start called twice or after Drain");
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();

    grpc::ServerBuilder builder;
    builder.AddListeningPort(impl_->options.listen_address, grpc::InsecureServerCredentials(), &impl_->port);
    for (const auto& [service, name] : impl_->services) builder.RegisterService(service);
    builder.SetMaxReceiveMessageSize(impl_->options.max_receive_message_bytes);
    // A second process on a fixed port must fail to bind, not silently share it.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                               static_cast<int>(impl_->options.min_client_ping_interval.count()));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    // Threads are reused, not started per call, and bounded (ServerOptions::max_pollers/max_threads).
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, 1);
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, impl_->options.min_pollers);
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                                std::max(impl_->options.min_pollers, impl_->options.max_pollers));
    grpc::ResourceQuota quota("marketplace-rpc-server");
    quota.SetMaxThreads(impl_->options.max_threads);
    builder.SetResourceQuota(quota);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
    interceptors.push_back(std::make_unique<impl::CallInterceptorFactory>(impl_->shared));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));

    impl_->server = builder.BuildAndStart();
    if (!impl_->server || impl_->port == 0) {
        impl_->server.reset();
        throw std::runtime_error("gRPC server cannot listen on " + impl_->options.listen_address);
    }
    impl_->started = true;
    impl_->SetHealth(true);
    if (impl_->options.handle_signals) {
        impl_->signal_id = impl::AddSignalCallback([this] { RequestDrain(); });
    }
    log::Info("gRPC server listening", {{"address", impl_->options.listen_address}, {"port", impl_->port}});
    return impl_->port;
}

int Server::port() const noexcept { return impl_->port; }

void Server::RequestDrain() noexcept {
    {
        std::lock_guard lock(impl_->mu);
        impl_->drain_requested = true;
    }
    impl_->cv.notify_all();
}

void Server::Wait() {
    {
        std::unique_lock lock(impl_->mu);
        impl_->cv.wait(lock, [&] { return impl_->drain_requested || impl_->shut_down || !impl_->started; });
        if (impl_->shut_down || !impl_->started) return;
    }
    Drain();
}

void Server::WaitForDrainRequest() {
    std::unique_lock lock(impl_->mu);
    impl_->cv.wait(lock, [&] { return impl_->drain_requested || impl_->shut_down || !impl_->started; });
}

void Server::Drain() {
    {
        std::unique_lock lock(impl_->mu);
        if (!impl_->started || impl_->shut_down) {
            impl_->shut_down = true;
            impl_->cv.notify_all();
            return;
        }
        if (impl_->draining) {
            impl_->cv.wait(lock, [&] { return impl_->shut_down; });
            return;
        }
        impl_->draining = true;
        impl_->drain_requested = true;
    }
    const auto begin = std::chrono::steady_clock::now();
    const auto deadline = begin + impl_->options.drain_timeout;
    impl_->shared->gate.BeginDrain();
    impl_->SetHealth(false);
    log::Info("gRPC server draining", {{"in_flight", static_cast<unsigned long>(impl_->shared->gate.in_flight())}});

    const bool idle = impl_->shared->gate.WaitIdle(deadline);
    // What is left now is refused calls finishing and health watches: a short grace, then cancel.
    const auto grace = std::min<std::chrono::steady_clock::duration>(
        std::max<std::chrono::steady_clock::duration>(deadline - std::chrono::steady_clock::now(), {}),
        std::chrono::milliseconds(250));
    impl_->server->Shutdown(std::chrono::system_clock::now() +
                            std::chrono::duration_cast<std::chrono::system_clock::duration>(grace));
    impl_->server->Wait();
    const double took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
    if (idle) {
        log::Info("gRPC server stopped", {{"drain_ms", took_ms}});
    } else {
        log::Warn("gRPC server stopped with calls cancelled after the drain timeout", {{"drain_ms", took_ms}});
    }
    {
        std::lock_guard lock(impl_->mu);
        impl_->shut_down = true;
    }
    impl_->cv.notify_all();
}

bool Server::draining() const noexcept { return impl_->shared->gate.draining(); }

std::size_t Server::in_flight() const noexcept { return impl_->shared->gate.in_flight(); }

}  // namespace marketplace::rpc
