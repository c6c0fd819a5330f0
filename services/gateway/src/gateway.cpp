#include "gateway.hpp"

#include <algorithm>
#include <mutex>

#include "edge/public_routes.hpp"
#include "http/request_error.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/rpc/forwarding.hpp"
#include "openapi/openapi.hpp"
#include "routing/linked_protos.hpp"
#include "transcode/download.hpp"
#include "transcode/github_webhook.hpp"
#include "transcode/webhook.hpp"

namespace marketplace::gateway {
namespace log = core::log;

namespace {

RouteTable BuildRoutes(const GatewayConfig& config) {
    std::vector<const google::protobuf::ServiceDescriptor*> services;
    for (const auto& upstream : config.upstreams) {
        const auto* package = FindLinkedPackage(upstream.name);
        if (package == nullptr) throw std::invalid_argument("service '" + upstream.name + "' is not linked");
        for (const auto* service : ServicesOf(*package)) services.push_back(service);
    }
    return RouteTable::FromServices(services);
}

}  // namespace

Gateway::Gateway(GatewayConfig config, std::shared_ptr<const rpc::TokenVerifier> verifier)
    : config_(std::move(config)),
      tracker_(std::make_shared<CallTracker>()),
      routes_(BuildRoutes(config_)),
      webhook_route_(WebhookRoute()),
      download_route_(DownloadRoute()),
      github_route_(GitHubWebhookRoute()),
      authenticator_(std::move(verifier)),
      ip_limiter_(config_.ip_limit),
      user_limiter_(config_.user_limit),
      cors_(config_.cors),
      websockets_(config_.websocket) {
    std::vector<std::string> packages;
    for (const auto& upstream_config : config_.upstreams) {
        std::vector<std::string> services;
        for (const auto* service : ServicesOf(*FindLinkedPackage(upstream_config.name))) {
            services.push_back(service->full_name());
        }
        auto upstream = std::make_unique<Upstream>(upstream_config.name, services, upstream_config.channel, tracker_);
        for (const auto& service : services) upstream_by_service_[service] = upstream.get();
        upstreams_.push_back(std::move(upstream));
        packages.push_back(upstream_config.name);
    }
    const bool webhook_enabled = webhook_route_.method != nullptr && UpstreamFor(webhook_route_) != nullptr;
    if (!webhook_enabled) webhook_route_.method = nullptr;
    if (UpstreamFor(download_route_) == nullptr) download_route_.method = nullptr;
    if (UpstreamFor(github_route_) == nullptr) github_route_.method = nullptr;
    openapi_json_ = BuildOpenApiDocument(packages, routes_, IsPublicMethod,
                                         webhook_enabled ? config_.webhook.signature_header : std::string());
    for (const auto& skipped : routes_.skipped_streaming()) {
        log::Warn("streaming RPC binding not routed (only GETs of server-streaming RPCs are WebSockets)",
                  {{"method", skipped}});
    }
    config_.http.uncapped = [proxies = config_.trusted_proxies](const std::string& address) {
        return proxies.Contains(address);
    };
    server_ =
        std::make_unique<HttpServer>(config_.http, [this](HttpRequest&& request, const Peer& peer, Responder respond) {
            Handle(std::move(request), peer, std::move(respond));
        });
}

Gateway::~Gateway() { Stop(); }

int Gateway::Start() {
    const int port = server_->Start();
    std::string services;
    for (const auto& upstream : upstreams_) {
        services += (services.empty() ? "" : ",") + upstream->name() + "=" + upstream->target();
    }
    log::Info(
        "gateway listening",
        {{"port", port}, {"routes", static_cast<unsigned long>(routes_.routes().size())}, {"upstreams", services}});
    return port;
}

void Gateway::Stop() {
    if (!server_) return;
    // WebSockets first: new ones are refused, open ones closed (1001) and their streams cancelled,
    // so the streaming calls end before the wait for upstream calls below.
    websockets_.Shutdown();
    if (!websockets_.WaitIdle(config_.http.drain_timeout)) {
        log::Warn("WebSockets still open at shutdown",
                  {{"websockets", static_cast<unsigned long>(websockets_.open())}});
    }
    server_->Stop();
    // Callbacks of calls still in flight hold connections of the server: let them finish first.
    if (!tracker_->WaitIdle(config_.upstream_timeout + std::chrono::seconds(1))) {
        log::Warn("upstream calls still in flight at shutdown",
                  {{"calls", static_cast<unsigned long>(tracker_->active())}});
    }
    server_.reset();
}

int Gateway::port() const noexcept { return server_ ? server_->port() : 0; }

Upstream* Gateway::UpstreamFor(const Route& route) {
    if (route.method == nullptr) return nullptr;
    const auto it = upstream_by_service_.find(route.method->service()->full_name());
    return it == upstream_by_service_.end() ? nullptr : it->second;
}

void Gateway::AddClientMetadata(std::vector<std::pair<std::string, std::string>>& metadata,
                                const std::string& client) const {
    metadata.emplace_back(rpc::kClientAddressMetadata, client);
    if (!config_.forwarding_secret.empty())
        metadata.emplace_back(rpc::kGatewaySecretMetadata, config_.forwarding_secret);
}

void Gateway::CheckRate(RateLimiter& limiter, const std::string& key, std::string_view what) {
    const auto decision = limiter.Take(key);
    if (decision.allowed) return;
    throw RequestError(bhttp::status::too_many_requests, "RESOURCE_EXHAUSTED",
                       std::string("too many requests ") + std::string(what) + "; retry after " +
                           std::to_string(decision.retry_after.count()) + " s")
        .WithHeader(bhttp::field::retry_after, std::to_string(decision.retry_after.count()));
}

void Gateway::HandleReady(const Reply& reply) {
    if (upstreams_.empty()) return reply(JsonResponse(bhttp::status::ok, R"({"status":"ready","services":{}})"));
    struct Tally {
        std::mutex mu;
        std::map<std::string, std::string> outcomes;
        std::size_t remaining;
        Reply reply;
    };
    auto tally = std::make_shared<Tally>();
    tally->remaining = upstreams_.size();
    tally->reply = reply;
    for (const auto& upstream : upstreams_) {
        upstream->CheckHealth(config_.health_timeout, [tally, name = upstream->name()](std::string outcome) {
            std::lock_guard lock(tally->mu);
            tally->outcomes[name] = std::move(outcome);
            if (--tally->remaining > 0) return;
            bool ready = true;
            std::string services;
            for (const auto& [service, status] : tally->outcomes) {
                ready = ready && status == "SERVING";
                services += (services.empty() ? "\"" : ",\"") + service + "\":\"" + status + "\"";
            }
            tally->reply(JsonResponse(ready ? bhttp::status::ok : bhttp::status::service_unavailable,
                                      std::string(R"({"status":")") + (ready ? "ready" : "not ready") +
                                          R"(","services":{)" + services + "}}"));
        });
    }
}

}  // namespace marketplace::gateway
