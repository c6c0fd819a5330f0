#include "marketplace/tokens/test_tokens.hpp"

#include <array>

#include <nlohmann/json.hpp>

#include "marketplace/tokens/base64url.hpp"

namespace marketplace::tokens {
namespace {

std::shared_ptr<const core::Clock> OrSystem(std::shared_ptr<const core::Clock> clock) {
    return clock ? std::move(clock) : core::SystemClock::Instance();
}

// Splits a compact JWS into its three parts.
std::array<std::string, 3> Parts(const std::string& token) {
    const auto dot1 = token.find('.');
    const auto dot2 = token.find('.', dot1 + 1);
    return {token.substr(0, dot1), token.substr(dot1 + 1, dot2 - dot1 - 1), token.substr(dot2 + 1)};
}

}  // namespace

TestTokens::TestTokens() : TestTokens(TestTokensOptions{}) {}

TestTokens::TestTokens(TestTokensOptions options)
    : clock_(OrSystem(options.clock)),
      issuer_(SigningKey::Generate(), options.issuer, options.ttl, clock_),
      verifier_(std::make_shared<const StaticKeyVerifier>(
          std::vector<PublicKey>{issuer_.key().public_key()},
          VerifierOptions{.issuer = options.issuer, .leeway = std::chrono::seconds(30), .clock = clock_})) {}

std::string TestTokens::For(std::string_view user_id, std::string_view role) const {
    return issuer_.Issue(user_id, role);
}

std::string TestTokens::Expired(std::string_view user_id, std::string_view role) const {
    return issuer_.IssueAt(user_id, role, clock_->Now() - issuer_.ttl() - std::chrono::hours(1)).token;
}

std::string TestTokens::Tampered(std::string_view user_id, std::string_view role) const {
    auto parts = Parts(For(user_id, role));
    auto claims = nlohmann::json::parse(*Base64UrlDecode(parts[1]));
    claims["role"] = role == "admin" ? "client" : "admin";
    return parts[0] + "." + Base64UrlEncode(claims.dump()) + "." + parts[2];
}

std::string TestTokens::AlgNone(std::string_view user_id, std::string_view role) const {
    auto parts = Parts(For(user_id, role));
    const nlohmann::json header = {{"alg", "none"}, {"typ", "JWT"}, {"kid", issuer_.key().kid()}};
    return Base64UrlEncode(header.dump()) + "." + parts[1] + ".";
}

std::string TestTokens::UnknownKid(std::string_view user_id, std::string_view role) const {
    const JwtIssuer stranger(SigningKey::Generate(), issuer_.issuer(), issuer_.ttl(), clock_);
    return stranger.Issue(user_id, role);
}

std::string TestTokens::WrongIssuer(std::string_view user_id, std::string_view role) const {
    const JwtIssuer other(issuer_.key(), issuer_.issuer() + "-other", issuer_.ttl(), clock_);
    return other.Issue(user_id, role);
}

}  // namespace marketplace::tokens
