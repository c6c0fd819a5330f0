#pragma once
// CORS for browser clients, from an allow-list of origins ("https://app.example.com"; "*" allows
// any). Preflights (OPTIONS with Access-Control-Request-Method) are answered here: 204 with the
// allowed methods and headers for a listed origin, 403 otherwise. Other responses to a listed
// origin carry Access-Control-Allow-Origin and expose the gateway's headers. Tokens travel in the
// Authorization header, not cookies, so credentials are never allowed.
#include <chrono>
#include <string>
#include <vector>

#include "http/types.hpp"

namespace marketplace::gateway {

struct CorsOptions {
    std::vector<std::string> allowed_origins;  // empty: CORS off (no browser origin allowed)
    std::chrono::seconds max_age{600};
};

class Cors final {
public:
    explicit Cors(CorsOptions options);

    bool IsAllowedOrigin(std::string_view origin) const;
    /// A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method.
    static bool IsPreflight(const HttpRequest& request);
    /// The answer to a preflight.
    HttpResponse Preflight(const HttpRequest& request) const;
    /// Adds the CORS headers a response to `origin` (the request's Origin header) needs.
    void Decorate(std::string_view origin, HttpResponse& response) const;

private:
    CorsOptions options_;
    bool any_origin_ = false;
};

}  // namespace marketplace::gateway
