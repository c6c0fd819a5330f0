// Gateway: what happens to one request (see gateway.hpp for the order).
#include <chrono>

#include "edge/public_routes.hpp"
#include "gateway.hpp"
#include "http/request_error.hpp"
#include "http/url.hpp"
#include "http/utf8.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "transcode/download.hpp"
#include "transcode/github_webhook.hpp"
#include "transcode/request_builder.hpp"
#include "transcode/response_writer.hpp"
#include "transcode/status_mapping.hpp"
#include "transcode/webhook.hpp"

namespace marketplace::gateway {
namespace log = core::log;

namespace {

constexpr std::size_t kMaxSignatureBytes = 1024;

bool IsGet(const HttpRequest& request) { return request.method() == bhttp::verb::get; }

void RequireGet(const HttpRequest& request) {
    if (!IsGet(request)) {
        throw RequestError(bhttp::status::method_not_allowed, "METHOD_NOT_ALLOWED", "only GET is allowed here")
            .WithHeader(bhttp::field::allow, "GET");
    }
}

std::string Joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

}  // namespace

void Gateway::Handle(HttpRequest&& request, const Peer& peer, Responder respond) {
    const auto started = std::chrono::steady_clock::now();
    const auto ids = std::make_shared<const RequestIds>(
        MakeRequestIds(HeaderValue(request, "X-Request-Id"), HeaderValue(request, "traceparent")));
    const std::string origin(HeaderValue(request, "Origin"));
    const std::string method(request.method_string());
    const std::string target(request.target());
    // Every answer passes here: ids and CORS headers, and one log line.
    Reply reply = [this, respond, ids, origin, method, target, started](HttpResponse response) {
        response.set("X-Request-Id", ids->request_id);
        response.set("traceparent", ids->trace.ToTraceparent());
        cors_.Decorate(origin, response);
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
        {
            log::LogScope scope(ids->trace.trace_id, ids->request_id);
            const auto path = SanitizeUtf8(std::string_view(target).substr(0, std::string_view(target).find('?')));
            log::Info("http request", {{"method", method},
                                       {"path", path},
                                       {"status", static_cast<int>(response.result_int())},
                                       {"duration_us", static_cast<long long>(micros)}});
        }
        respond(std::move(response));
    };
    try {
        Dispatch(request, peer, *ids, reply, respond);
    } catch (const RequestError& e) {
        reply(e.ToResponse());
    } catch (const std::exception& e) {
        log::Error("gateway request failed", {{"error", e.what()}});
        reply(ErrorResponse(bhttp::status::internal_server_error, "INTERNAL", "internal error"));
    }
}

void Gateway::Dispatch(HttpRequest& request, const Peer& peer, const RequestIds& ids, const Reply& reply,
                       const Responder& respond) {
    const auto target = SplitTarget(std::string_view(request.target().data(), request.target().size()));
    const std::string_view path = target.path;

    // Probes are never rate limited.
    if (path == "/healthz" && !Cors::IsPreflight(request)) {
        RequireGet(request);
        return reply(JsonResponse(bhttp::status::ok, R"({"status":"ok"})"));
    }
    if (path == "/readyz" && !Cors::IsPreflight(request)) {
        RequireGet(request);
        return HandleReady(reply);
    }

    std::vector<std::string_view> forwarded_for;
    for (auto [it, end] = request.equal_range("X-Forwarded-For"); it != end; ++it) {
        forwarded_for.emplace_back(it->value().data(), it->value().size());
    }
    const std::string client = ResolveClientAddress(peer.address, forwarded_for, config_.trusted_proxies);
    CheckRate(ip_limiter_, client, "from this address");

    if (Cors::IsPreflight(request)) return reply(cors_.Preflight(request));
    if (path == "/openapi.json") {
        RequireGet(request);
        return reply(JsonResponse(bhttp::status::ok, openapi_json_));
    }

    if (webhook_route_.method != nullptr) {
        if (const auto provider = WebhookProvider(path); !provider.empty()) {
            return HandleWebhook(request, provider, ids, client, reply);
        }
    }

    if (download_route_.method != nullptr) {
        if (const auto token = DownloadToken(path)) return HandleDownload(request, *token, ids, client, reply);
    }

    if (github_route_.method != nullptr) {
        if (const auto link = GitHubWebhookLink(path)) return HandleGitHubDelivery(request, *link, ids, client, reply);
    }

    const std::string_view method(request.method_string().data(), request.method_string().size());
    const auto lookup = routes_.Find(method, path);
    if (lookup.route == nullptr) {
        if (lookup.allowed_methods.empty()) {
            throw RequestError(bhttp::status::not_found, "NOT_FOUND", "no route for " + std::string(path));
        }
        throw RequestError(bhttp::status::method_not_allowed, "METHOD_NOT_ALLOWED",
                           std::string(method) + " is not allowed on " + std::string(path) +
                               "; allowed: " + Joined(lookup.allowed_methods))
            .WithHeader(bhttp::field::allow, Joined(lookup.allowed_methods));
    }
    const Route& route = *lookup.route;
    if (route.server_streaming) return ServeWebSocket(request, lookup, target.query, ids, client, respond);
    const auto auth =
        authenticator_.Check(HeaderValue(request, "Authorization"), !IsPublicMethod(route.method->full_name()));
    if (auth.claims) CheckRate(user_limiter_, auth.claims->subject, "for this user");

    const auto message = BuildRequestMessage(
        route, RequestParts{lookup.bindings, target.query, request.body(), HeaderValue(request, "Content-Type")},
        config_.max_json_depth);
    Forward(route, message->SerializeAsString(), auth.authorization, request, ids, client, reply);
}

void Gateway::HandleWebhook(HttpRequest& request, const std::string& provider, const RequestIds& ids,
                            const std::string& client, const Reply& reply) {
    const auto& providers = config_.webhook.providers;
    if (std::find(providers.begin(), providers.end(), provider) == providers.end()) {
        throw RequestError(bhttp::status::not_found, "NOT_FOUND", "unknown payment provider '" + provider + "'");
    }
    if (request.method() != bhttp::verb::post) {
        throw RequestError(bhttp::status::method_not_allowed, "METHOD_NOT_ALLOWED", "webhooks are POSTed")
            .WithHeader(bhttp::field::allow, "POST");
    }
    const std::string_view signature = HeaderValue(request, config_.webhook.signature_header);
    if (signature.size() > kMaxSignatureBytes ||
        std::any_of(signature.begin(), signature.end(), [](char c) { return c < 0x20 || c > 0x7E; })) {
        throw RequestError::InvalidArgument("signature", "the " + config_.webhook.signature_header +
                                                             " header must be at most 1024 printable ASCII characters");
    }
    // The raw bytes, exactly as signed: never re-encoded.
    Forward(webhook_route_, WebhookRequestBytes(request.body(), signature, provider), std::string(), request, ids,
            client, reply);
}

void Gateway::HandleGitHubDelivery(HttpRequest& request, const std::string& link_id, const RequestIds& ids,
                                   const std::string& client, const Reply& reply) {
    if (request.method() != bhttp::verb::post) {
        throw RequestError(bhttp::status::method_not_allowed, "METHOD_NOT_ALLOWED", "webhooks are POSTed")
            .WithHeader(bhttp::field::allow, "POST");
    }
    if (link_id.empty()) throw RequestError::InvalidArgument("link_id", "the webhook's link id is a UUID");
    const auto header = [&](const char* name, std::size_t max) {
        const std::string_view value = HeaderValue(request, name);
        if (value.empty() || value.size() > max ||
            std::any_of(value.begin(), value.end(), [](char c) { return c < 0x20 || c > 0x7E; })) {
            throw RequestError::InvalidArgument(name, std::string("the ") + name + " header must be 1.." +
                                                          std::to_string(max) + " printable ASCII characters");
        }
        return value;
    };
    const auto event = header("X-GitHub-Event", 64);
    const auto delivery = header("X-GitHub-Delivery", 100);
    const auto signature = header("X-Hub-Signature-256", kMaxSignatureBytes);
    // The raw bytes, exactly as signed: never re-encoded. No bearer token: the signature is the
    // credential, checked by the workroom.
    Forward(github_route_, GitHubDeliveryBytes(link_id, event, delivery, signature, request.body()), std::string(),
            request, ids, client, reply);
}

void Gateway::HandleDownload(HttpRequest& request, const std::string& token, const RequestIds& ids,
                             const std::string& client, const Reply& reply) {
    RequireGet(request);
    if (token.empty()) {
        throw RequestError::InvalidArgument("token", "a download token is 1..2048 characters of A-Z a-z 0-9 - _ .");
    }
    // No bearer token: the signed download token is the credential, checked by the workroom.
    Forward(download_route_, DownloadRequestBytes(token), std::string(), request, ids, client, reply,
            [](const Route&, const std::string& bytes) { return DownloadResponse(bytes); });
}

void Gateway::Forward(const Route& route, std::string request_bytes, const std::string& authorization,
                      const HttpRequest& request, const RequestIds& ids, const std::string& client, const Reply& reply,
                      Render render) {
    Upstream* upstream = UpstreamFor(route);
    if (upstream == nullptr) {
        throw RequestError(bhttp::status::not_found, "NOT_FOUND", "no route for " + route.path.text());
    }
    UpstreamCall call;
    call.method_path = route.grpc_path;
    call.request_bytes = std::move(request_bytes);
    call.deadline = std::chrono::system_clock::now() + config_.upstream_timeout;
    call.metadata.emplace_back(rpc::kRequestIdMetadata, ids.request_id);
    call.metadata.emplace_back(rpc::kTraceparentMetadata, ids.trace.ToTraceparent());
    if (!authorization.empty()) call.metadata.emplace_back(rpc::kAuthorizationMetadata, authorization);
    AddClientMetadata(call.metadata, client);
    if (request.count("Idempotency-Key") > 0) {
        const std::string_view key = HeaderValue(request, "Idempotency-Key");
        if (!IsAcceptableIdempotencyKey(key)) {
            throw RequestError::InvalidArgument(
                "Idempotency-Key", "Idempotency-Key must be 1..255 printable ASCII characters without spaces");
        }
        call.metadata.emplace_back("idempotency-key", std::string(key));
    }
    upstream->Call(std::move(call), [&route, reply, render = std::move(render)](UpstreamResult result) {
        if (!result.status.ok()) {
            if (result.status.error_code() != grpc::StatusCode::INVALID_ARGUMENT &&
                HttpStatusFromGrpc(result.status.error_code()) >= bhttp::status::internal_server_error) {
                log::Warn("upstream call failed", {{"method", route.grpc_path},
                                                   {"code", static_cast<int>(result.status.error_code())},
                                                   {"error", result.status.error_message()}});
            }
            return reply(ErrorResponseFromGrpc(result.status, result.error_field));
        }
        if (render) {
            auto rendered = render(route, result.response_bytes);
            if (!rendered) {
                log::Error("upstream response does not parse", {{"method", route.grpc_path}});
                return reply(ErrorResponse(bhttp::status::internal_server_error, "INTERNAL", "internal error"));
            }
            return reply(std::move(*rendered));
        }
        auto json = ResponseJson(route, result.response_bytes);
        if (!json) {
            log::Error("upstream response does not parse", {{"method", route.grpc_path}});
            return reply(ErrorResponse(bhttp::status::internal_server_error, "INTERNAL", "internal error"));
        }
        reply(JsonResponse(bhttp::status::ok, std::move(*json)));
    });
}

}  // namespace marketplace::gateway
