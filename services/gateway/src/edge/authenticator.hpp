#pragma once
// The edge's token check: Bearer JWTs verified with a TokenVerifier (in production libs/tokens's
// JwksVerifier: auth's JWKS, cached, refetched on an unknown kid). Services verify again; the
// gateway only stops what is certainly bad early and keys the per-user rate limit on the subject.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "marketplace/rpc/auth.hpp"

namespace marketplace::gateway {

struct Authentication {
    /// The verified claims; nullopt for an anonymous call to a public route.
    std::optional<rpc::Claims> claims;
    /// What goes upstream as `authorization` metadata ("Bearer <token>"), or empty.
    std::string authorization;
};

class Authenticator final {
public:
    explicit Authenticator(std::shared_ptr<const rpc::TokenVerifier> verifier);

    /// Checks the Authorization header. Throws RequestError: 401 when `required` and there is no
    /// token, or whenever a token is present but is not a valid Bearer token (malformed, expired,
    /// tampered, unsigned, unknown key); 503 when no key could ever be fetched (auth is down).
    Authentication Check(std::string_view authorization_header, bool required) const;

private:
    std::shared_ptr<const rpc::TokenVerifier> verifier_;
};

}  // namespace marketplace::gateway
