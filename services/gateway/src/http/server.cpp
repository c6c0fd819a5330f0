#include "http/server.hpp"

#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "http/session.hpp"
#include "marketplace/core/log.hpp"

namespace marketplace::gateway {
namespace asio = boost::asio;
namespace log = core::log;
using tcp = asio::ip::tcp;

struct Responder::Slot {
    Slot(SendFn fn, HandOverFn hand_over_fn) : send(std::move(fn)), hand_over(std::move(hand_over_fn)) {}
    ~Slot() {
        if (!sent.exchange(true)) {
            log::Error("a request was dropped without a response");
            send(ErrorResponse(bhttp::status::internal_server_error, "INTERNAL", "internal error"));
        }
    }
    SendFn send;
    HandOverFn hand_over;
    std::atomic<bool> sent{false};
};

Responder::Responder(SendFn send, HandOverFn hand_over)
    : slot_(std::make_shared<Slot>(std::move(send), std::move(hand_over))) {}

void Responder::operator()(HttpResponse response) const {
    if (slot_->sent.exchange(true)) return;
    slot_->send(std::move(response));
}

void Responder::Upgrade(UpgradeFn take) const {
    if (slot_->sent.exchange(true)) return;
    if (!slot_->hand_over) {
        log::Error("an upgrade was asked of a connection that cannot hand over");
        slot_->send(ErrorResponse(bhttp::status::internal_server_error, "INTERNAL", "internal error"));
        return;
    }
    slot_->hand_over(std::move(take));
}

std::pair<std::string, int> SplitHostPort(const std::string& address) {
    std::string host;
    std::string port;
    if (!address.empty() && address.front() == '[') {
        const auto close = address.find(']');
        if (close == std::string::npos || close + 1 >= address.size() || address[close + 1] != ':') {
            throw std::invalid_argument("must be host:port, got '" + address + "'");
        }
        host = address.substr(1, close - 1);
        port = address.substr(close + 2);
    } else {
        const auto colon = address.rfind(':');
        if (colon == std::string::npos) throw std::invalid_argument("must be host:port, got '" + address + "'");
        host = address.substr(0, colon);
        port = address.substr(colon + 1);
    }
    if (host.empty() || port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) > 65535) {
        throw std::invalid_argument("must be host:port with a port 0..65535, got '" + address + "'");
    }
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    if (ec) throw std::invalid_argument("host must be an IP address, got '" + host + "'");
    return {host, std::stoi(port)};
}

struct HttpServer::Impl {
    Impl(HttpServerOptions o, HttpHandler handler)
        : options(std::move(o)), shared(std::make_shared<impl::ServerShared>()) {
        shared->limits = options.limits;
        shared->handler = std::move(handler);
        shared->uncapped = options.uncapped;
    }

    void Accept() {
        acceptor.async_accept(asio::make_strand(ioc), [this](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
            if (!ec) Admit(std::move(socket));
            Accept();
        });
    }

    // Serves the connection, or refuses it (503 in all, 429 per address) when over a limit.
    void Admit(tcp::socket socket) {
        boost::system::error_code ec;
        const auto remote = socket.remote_endpoint(ec);
        std::string address = ec ? std::string() : remote.address().to_string();
        std::optional<impl::Refusal> refusal;
        const bool capped =
            options.limits.max_connections_per_address > 0 && !(shared->uncapped && shared->uncapped(address));
        bool taken = false;
        if (shared->connections.load() >= options.limits.max_connections) {
            refusal = impl::Refusal{bhttp::status::service_unavailable, "UNAVAILABLE",
                                    "the gateway is at its connection limit; retry shortly"};
        } else if (capped && !shared->TakeAddress(address)) {
            refusal = impl::Refusal{bhttp::status::too_many_requests, "RESOURCE_EXHAUSTED",
                                    "too many open connections from this address (at most " +
                                        std::to_string(options.limits.max_connections_per_address) +
                                        "); close one or retry shortly"};
        } else {
            taken = capped;
        }
        if (refusal && shared->refusing.load() >= kMaxRefusing) {
            socket.close(ec);
            return;
        }
        std::make_shared<impl::Session>(std::move(socket), shared, std::move(address), taken, std::move(refusal))
            ->Start();
    }

    HttpServerOptions options;
    std::shared_ptr<impl::ServerShared> shared;
    asio::io_context ioc;
    asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
    tcp::acceptor acceptor{asio::make_strand(ioc)};
    std::vector<std::thread> threads;
    std::mutex mu;
    int port = 0;
    bool started = false;
    bool stopped = false;
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::Start() {
    std::lock_guard lock(impl_->mu);
    if (impl_->started) return impl_->port;
    std::pair<std::string, int> host_port;
    try {
        host_port = SplitHostPort(impl_->options.listen_address);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("listen address ") + e.what());
    }
    const tcp::endpoint endpoint(asio::ip::make_address(host_port.first),
                                 static_cast<unsigned short>(host_port.second));
    boost::system::error_code ec;
    impl_->acceptor.open(endpoint.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl_->acceptor.bind(endpoint, ec);
    if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + impl_->options.listen_address + ": " + ec.message());
    impl_->port = impl_->acceptor.local_endpoint().port();
    impl_->Accept();
    const int threads = std::max(1, impl_->options.threads);
    for (int i = 0; i < threads; ++i) {
        impl_->threads.emplace_back([this] {
            for (;;) {
                try {
                    impl_->ioc.run();
                    return;
                } catch (const std::exception& e) {
                    log::Error("http worker caught an exception", {{"error", e.what()}});
                }
            }
        });
    }
    impl_->started = true;
    return impl_->port;
}

int HttpServer::port() const noexcept { return impl_->port; }

void HttpServer::Stop() {
    std::lock_guard lock(impl_->mu);
    if (!impl_->started || impl_->stopped) return;
    impl_->stopped = true;
    asio::post(impl_->acceptor.get_executor(), [this] {
        boost::system::error_code ignored;
        impl_->acceptor.close(ignored);
    });
    const auto deadline = std::chrono::steady_clock::now() + impl_->options.drain_timeout;
    while (impl_->shared->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    impl_->work.reset();
    impl_->ioc.stop();
    for (auto& t : impl_->threads) t.join();
    impl_->threads.clear();
}

std::size_t HttpServer::open_connections() const noexcept { return impl_->shared->connections.load(); }
std::size_t HttpServer::in_flight() const noexcept { return impl_->shared->in_flight.load(); }

}  // namespace marketplace::gateway
