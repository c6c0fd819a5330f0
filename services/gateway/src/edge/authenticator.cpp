#include "edge/authenticator.hpp"

#include "http/request_error.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::gateway {

Authenticator::Authenticator(std::shared_ptr<const rpc::TokenVerifier> verifier) : verifier_(std::move(verifier)) {}

Authentication Authenticator::Check(std::string_view authorization_header, bool required) const {
    Authentication result;
    if (authorization_header.empty()) {
        if (required) {
            throw RequestError(bhttp::status::unauthorized, "UNAUTHENTICATED",
                               "this route needs a bearer token (Authorization: Bearer <token>)");
        }
        return result;
    }
    const auto token = rpc::BearerToken(authorization_header);
    if (!token || token->empty()) {
        throw RequestError(bhttp::status::unauthorized, "UNAUTHENTICATED",
                           "the Authorization header must be 'Bearer <token>'");
    }
    if (!verifier_) throw RequestError(bhttp::status::unauthorized, "UNAUTHENTICATED", "tokens cannot be verified");
    std::optional<rpc::Claims> claims;
    try {
        claims = verifier_->Verify(*token);
    } catch (const core::Unavailable&) {
        throw RequestError(bhttp::status::service_unavailable, "UNAVAILABLE",
                           "tokens cannot be verified right now; try again");
    }
    if (!claims) {
        throw RequestError(bhttp::status::unauthorized, "UNAUTHENTICATED", "the bearer token is invalid or expired");
    }
    result.claims = std::move(claims);
    result.authorization = "Bearer " + std::string(*token);
    return result;
}

}  // namespace marketplace::gateway
