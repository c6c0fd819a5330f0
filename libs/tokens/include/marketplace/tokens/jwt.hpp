#pragma once
// Access tokens: compact JWS (RFC 7515) with EdDSA (Ed25519) signatures.
//
//   header  {"alg":"EdDSA","typ":"JWT","kid":"<key id>"}
//   claims  {"sub":"<user id>","role":"client|freelancer|admin","iss":"<issuer>",
//            "iat":<seconds>,"exp":<seconds>,"jti":"<uuid>","sep":<session epoch>}
//
// `sep` is the user's session epoch at issue time (rpc::Claims::session_epoch): verifiers refuse a
// token whose epoch is below the one auth lists for its subject (verifier.hpp, revocations).
//
// JwtIssuer signs; VerifyJwt checks a token against a set of public keys and says why it rejects
// one. StaticKeyVerifier and JwksVerifier (verifier.hpp) wrap it as rpc::TokenVerifier.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "marketplace/core/clock.hpp"
#include "marketplace/rpc/auth.hpp"
#include "marketplace/tokens/signing_key.hpp"

namespace marketplace::tokens {

/// The `iss` of tokens issued by the auth service unless configured otherwise (AUTH_ISSUER).
inline constexpr char kDefaultIssuer[] = "marketplace-auth";
/// The default lifetime of an access token.
inline constexpr std::chrono::seconds kDefaultAccessTokenTtl{15 * 60};
/// Tokens longer than this are rejected before any parsing.
inline constexpr std::size_t kMaxTokenBytes = 8 * 1024;

/// One issued token and what it says.
struct IssuedToken {
    std::string token;  // the compact JWS
    std::string jti;
    core::Clock::TimePoint issued_at;   // whole seconds
    core::Clock::TimePoint expires_at;  // whole seconds
};

class JwtIssuer final {
public:
    /// Throws std::invalid_argument when the issuer is empty or the ttl is not positive.
    JwtIssuer(SigningKey key, std::string issuer, std::chrono::seconds ttl = kDefaultAccessTokenTtl,
              std::shared_ptr<const core::Clock> clock = core::SystemClock::Instance());

    /// A signed token for `subject` with `role`, issued now. Throws std::invalid_argument when the
    /// subject is empty or the role is not client, freelancer or admin.
    std::string Issue(std::string_view subject, std::string_view role) const;
    /// The same, with its id and times.
    IssuedToken IssueToken(std::string_view subject, std::string_view role, std::int64_t session_epoch = 0) const;
    /// The same as if issued at `issued_at` (tests use it for expired tokens).
    IssuedToken IssueAt(std::string_view subject, std::string_view role, core::Clock::TimePoint issued_at,
                        std::int64_t session_epoch = 0) const;

    const SigningKey& key() const noexcept { return key_; }
    const std::string& issuer() const noexcept { return issuer_; }
    std::chrono::seconds ttl() const noexcept { return ttl_; }

private:
    SigningKey key_;
    std::string issuer_;
    std::chrono::seconds ttl_;
    std::shared_ptr<const core::Clock> clock_;
};

/// Signs `header_json` and `claims_json` as they are (no checks): "b64(header).b64(claims).b64(sig)".
/// For tests that need tokens a JwtIssuer would never make.
std::string EncodeJws(const SigningKey& key, std::string_view header_json, std::string_view claims_json);

/// Why VerifyJwt rejected a token.
enum class Rejection {
    kNone,          // accepted
    kMalformed,     // too long, not three parts, bad base64url, header or claims not a JSON object
    kBadAlgorithm,  // alg is anything but "EdDSA" (including "none"), or typ is not "JWT", or crit is present
    kMissingKeyId,  // no kid in the header
    kUnknownKey,    // no public key with that kid
    kBadSignature,  // the signature does not verify
    kWrongIssuer,   // iss differs from the expected issuer
    kBadClaims,     // sub, role, iat or exp missing or of the wrong type
    kExpired,       // exp is in the past (beyond the leeway)
    kNotYetValid,   // iat or nbf is in the future (beyond the leeway)
    kUnknownRole,   // role is not client, freelancer or admin
    kRevoked,       // its session epoch is below the subject's current one (logged out everywhere)
};

/// "none", "malformed", "bad algorithm", ... (for logs and test messages).
std::string_view RejectionName(Rejection rejection);

struct VerifierOptions {
    /// The expected `iss`.
    std::string issuer = kDefaultIssuer;
    /// Tolerated clock skew between the issuer and this process.
    std::chrono::seconds leeway{30};
    /// Decides expiry; null means the system clock.
    std::shared_ptr<const core::Clock> clock;
};

/// The outcome of a verification: claims when accepted, else the reason.
struct Verification {
    std::optional<rpc::Claims> claims;
    Rejection rejection = Rejection::kNone;
    /// The token's kid when its header could be read (even if it was then rejected).
    std::string kid;

    bool ok() const noexcept { return claims.has_value(); }
};

/// Finds the public key of a kid, or nullopt. Must be safe to call concurrently when the verifier is.
using KeyLookup = std::function<std::optional<PublicKey>(std::string_view kid)>;

/// Checks, in order: size, three base64url parts, the header (alg exactly "EdDSA", typ "JWT" when
/// present, no crit, a kid), the key, the Ed25519 signature over "header.claims", then the claims
/// (iss, sub, role, iat, exp, nbf) against the options' clock with its leeway.
Verification VerifyJwt(std::string_view token, const KeyLookup& keys, const VerifierOptions& options);

}  // namespace marketplace::tokens
