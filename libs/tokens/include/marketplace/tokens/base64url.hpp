#pragma once
// base64url (RFC 4648 §5) without padding, as JWTs and JWKs use it.
#include <optional>
#include <string>
#include <string_view>

namespace marketplace::tokens {

/// Encodes bytes as base64url without '=' padding.
std::string Base64UrlEncode(std::string_view bytes);

/// Decodes unpadded base64url. Strict: nullopt for padding, whitespace, characters outside the
/// alphabet, an impossible length (4n+1), or non-zero trailing bits (a non-canonical encoding).
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace marketplace::tokens
