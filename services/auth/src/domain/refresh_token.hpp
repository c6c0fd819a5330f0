#pragma once
// Opaque refresh tokens: 32 random bytes (base64url, 43 characters), stored only as their SHA-256.
// Tokens belong to a family (one login); each is used once: Refresh marks it used and issues its
// successor. Presenting a used token again means it was copied, so the whole family is revoked.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "marketplace/core/clock.hpp"

namespace marketplace::auth {

inline constexpr std::size_t kRefreshTokenChars = 43;

/// A new refresh token.
std::string NewRefreshToken();
/// True for 43 base64url characters encoding 32 bytes.
bool IsWellFormedRefreshToken(std::string_view token);
/// The 32-byte SHA-256 of a token: what the database keeps.
std::string RefreshTokenHash(std::string_view token);

/// What the database says about a presented token and its family.
struct RefreshTokenState {
    bool family_revoked = false;
    core::Clock::TimePoint family_expires_at;
    bool token_used = false;
    core::Clock::TimePoint token_expires_at;
};

enum class RefreshVerdict {
    kRotate,   // valid: mark it used and issue its successor
    kReuse,    // already used: revoke the family
    kExpired,  // the token or its family's lifetime ran out
    kRevoked,  // the family was revoked (logout or an earlier reuse)
};

RefreshVerdict JudgeRefresh(const RefreshTokenState& state, core::Clock::TimePoint now);

/// Encrypts `plaintext` (a Refresh response) under a key derived from the refresh token that was
/// presented, so the idempotency store can keep a replayable response without holding a usable
/// token in the clear: only a caller with the presented token can open it.
std::string SealWithToken(std::string_view presented_token, std::string_view plaintext);
/// Opens what SealWithToken made; nullopt when the token is not the one it was sealed with.
std::optional<std::string> OpenWithToken(std::string_view presented_token, std::string_view sealed);

}  // namespace marketplace::auth
