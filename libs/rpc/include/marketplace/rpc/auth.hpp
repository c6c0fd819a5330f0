#pragma once
// Who is calling. The server bootstrap takes an optional TokenVerifier; a handler asks its
// CallScope for the caller's Claims (call_scope.hpp). Tokens arrive as gRPC metadata
// `authorization: Bearer <token>`. JWT (EdDSA, JWKS) verification plugs in here later.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace marketplace::rpc {

/// What a verified access token says about its bearer.
struct Claims {
    std::string subject;  // the user id
    std::string role;     // e.g. "client", "freelancer", "admin"
    std::chrono::system_clock::time_point expires_at;
    /// The user's session epoch when the token was issued (claim `sep`; 0 when absent). "Log out
    /// everywhere", a password change or reset raise the user's epoch: tokens of a lower one are
    /// revoked (libs/tokens's verifiers refuse them once they learn the new epoch).
    std::int64_t session_epoch = 0;
};

/// Checks a bearer token. Called concurrently from many calls: implementations must be thread-safe.
class TokenVerifier {
public:
    virtual ~TokenVerifier() = default;
    /// The token's claims, or nullopt when it is malformed, badly signed or expired.
    virtual std::optional<Claims> Verify(std::string_view bearer_token) const = 0;
};

/// The metadata key carrying the token, and the scheme in front of it.
inline constexpr char kAuthorizationMetadata[] = "authorization";
inline constexpr std::string_view kBearerPrefix = "Bearer ";

/// The token of an `authorization` value ("Bearer <token>", scheme case-insensitive), or nullopt.
std::optional<std::string_view> BearerToken(std::string_view authorization);

}  // namespace marketplace::rpc
