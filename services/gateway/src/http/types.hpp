#pragma once
// The HTTP message types the gateway works with (Boost.Beast, string bodies) and helpers to make
// responses.
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace marketplace::gateway {

namespace bhttp = boost::beast::http;
using HttpRequest = bhttp::request<bhttp::string_body>;
using HttpResponse = bhttp::response<bhttp::string_body>;

/// Who sent a request: the TCP peer's address (what per-address rate limits key on).
struct Peer {
    std::string address;
};

/// A response with a JSON body (Content-Type application/json).
HttpResponse JsonResponse(bhttp::status status, std::string body);

/// The error body every gateway error carries: {"code":"<code>","message":"<message>","field":"<field>"}.
std::string ErrorJson(std::string_view code, std::string_view message, std::string_view field = {});

/// JsonResponse(status, ErrorJson(code, message, field)).
HttpResponse ErrorResponse(bhttp::status status, std::string_view code, std::string_view message,
                           std::string_view field = {});

/// The value of a request header, or empty when absent.
std::string_view HeaderValue(const HttpRequest& request, std::string_view name);

}  // namespace marketplace::gateway
