#include "http/types.hpp"

#include "http/utf8.hpp"
#include "marketplace/core/log.hpp"

namespace marketplace::gateway {

HttpResponse JsonResponse(bhttp::status status, std::string body) {
    HttpResponse response{status, 11};
    response.set(bhttp::field::content_type, "application/json");
    response.body() = std::move(body);
    return response;
}

std::string ErrorJson(std::string_view code, std::string_view message, std::string_view field) {
    // Messages may quote what a client sent: keep the body valid UTF-8 whatever it was.
    std::string out = R"({"code":")";
    core::log::AppendJsonEscaped(out, SanitizeUtf8(code));
    out += R"(","message":")";
    core::log::AppendJsonEscaped(out, SanitizeUtf8(message));
    out += R"(","field":")";
    core::log::AppendJsonEscaped(out, SanitizeUtf8(field));
    out += "\"}";
    return out;
}

HttpResponse ErrorResponse(bhttp::status status, std::string_view code, std::string_view message,
                           std::string_view field) {
    return JsonResponse(status, ErrorJson(code, message, field));
}

std::string_view HeaderValue(const HttpRequest& request, std::string_view name) {
    const auto it = request.find(boost::beast::string_view(name.data(), name.size()));
    if (it == request.end()) return {};
    const auto value = it->value();
    return {value.data(), value.size()};
}

}  // namespace marketplace::gateway
