#pragma once
// Tokens for other services' tests: one fresh signing key per TestTokens, tokens for any user and
// role, the matching verifier for rpc::ServerOptions::token_verifier, and tokens that must be
// refused (expired, tampered, alg "none", signed by an unknown key, wrong issuer).
//
//   tokens::TestTokens tokens;                      // or TestTokens({.clock = manual_clock})
//   options.server.token_verifier = tokens.verifier();
//   rpc::PrepareClientContext(ctx, {.deadline = ..., .bearer_token = tokens.For(client_id, "client")});
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "marketplace/core/clock.hpp"
#include "marketplace/tokens/jwt.hpp"
#include "marketplace/tokens/verifier.hpp"

namespace marketplace::tokens {

struct TestTokensOptions {
    /// Stamps iat/exp and decides expiry in verifier(); null: the system clock. Share the server's
    /// ManualClock so tokens issued after moving it are fresh.
    std::shared_ptr<const core::Clock> clock;
    std::chrono::seconds ttl = kDefaultAccessTokenTtl;
    std::string issuer = kDefaultIssuer;
};

class TestTokens final {
public:
    TestTokens();
    explicit TestTokens(TestTokensOptions options);

    /// A valid bearer token (without "Bearer ") for `user_id` with `role` ("client", "freelancer", "admin").
    std::string For(std::string_view user_id, std::string_view role) const;
    /// The verifier that accepts For()'s tokens.
    std::shared_ptr<const rpc::TokenVerifier> verifier() const { return verifier_; }
    const JwtIssuer& issuer() const noexcept { return issuer_; }
    const SigningKey& key() const noexcept { return issuer_.key(); }

    /// Signed correctly but expired an hour ago.
    std::string Expired(std::string_view user_id, std::string_view role) const;
    /// A valid token whose claims were changed to role "admin" after signing.
    std::string Tampered(std::string_view user_id, std::string_view role) const;
    /// Unsigned, with header alg "none".
    std::string AlgNone(std::string_view user_id, std::string_view role) const;
    /// Signed by a key the verifier does not know.
    std::string UnknownKid(std::string_view user_id, std::string_view role) const;
    /// Signed by the right key with another issuer.
    std::string WrongIssuer(std::string_view user_id, std::string_view role) const;

private:
    std::shared_ptr<const core::Clock> clock_;
    JwtIssuer issuer_;
    std::shared_ptr<const StaticKeyVerifier> verifier_;
};

}  // namespace marketplace::tokens
