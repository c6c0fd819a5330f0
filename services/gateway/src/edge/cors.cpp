#include "edge/cors.hpp"

#include <algorithm>

#include <boost/beast/core/string.hpp>

namespace marketplace::gateway {
namespace {
constexpr char kAllowedMethods[] = "GET, POST, PUT, PATCH, DELETE";
constexpr std::string_view kMethodList[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
constexpr char kAllowedHeaders[] = "Authorization, Content-Type, Idempotency-Key, X-Request-Id, traceparent";
constexpr char kExposedHeaders[] = "X-Request-Id, traceparent, Retry-After";
}  // namespace

Cors::Cors(CorsOptions options) : options_(std::move(options)) {
    any_origin_ = std::find(options_.allowed_origins.begin(), options_.allowed_origins.end(), "*") !=
                  options_.allowed_origins.end();
}

bool Cors::IsAllowedOrigin(std::string_view origin) const {
    if (origin.empty()) return false;
    if (any_origin_) return true;
    return std::find(options_.allowed_origins.begin(), options_.allowed_origins.end(), origin) !=
           options_.allowed_origins.end();
}

bool Cors::IsPreflight(const HttpRequest& request) {
    return request.method() == bhttp::verb::options && request.count(bhttp::field::origin) > 0 &&
           request.count(bhttp::field::access_control_request_method) > 0;
}

HttpResponse Cors::Preflight(const HttpRequest& request) const {
    const std::string_view origin = HeaderValue(request, "Origin");
    const std::string_view method = HeaderValue(request, "Access-Control-Request-Method");
    const bool method_ok = std::find(std::begin(kMethodList), std::end(kMethodList), method) != std::end(kMethodList);
    if (!IsAllowedOrigin(origin) || !method_ok) {
        auto response = ErrorResponse(bhttp::status::forbidden, "PERMISSION_DENIED",
                                      IsAllowedOrigin(origin) ? "method not allowed by CORS" : "origin not allowed");
        response.set(bhttp::field::vary, "Origin");
        return response;
    }
    HttpResponse response{bhttp::status::no_content, 11};
    response.set(bhttp::field::access_control_allow_origin, any_origin_ ? std::string("*") : std::string(origin));
    response.set(bhttp::field::access_control_allow_methods, kAllowedMethods);
    response.set(bhttp::field::access_control_allow_headers, kAllowedHeaders);
    response.set(bhttp::field::access_control_max_age, std::to_string(options_.max_age.count()));
    response.set(bhttp::field::vary, "Origin");
    return response;
}

void Cors::Decorate(std::string_view origin, HttpResponse& response) const {
    if (!IsAllowedOrigin(origin)) return;
    response.set(bhttp::field::access_control_allow_origin, any_origin_ ? std::string("*") : std::string(origin));
    response.set(bhttp::field::access_control_expose_headers, kExposedHeaders);
    response.set(bhttp::field::vary, "Origin");
}

}  // namespace marketplace::gateway
