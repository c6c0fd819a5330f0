#pragma once
// The rules for what a user types to register and log in: email, password, display name.
#include <cstddef>
#include <string>
#include <string_view>

namespace marketplace::auth {

inline constexpr std::size_t kMaxEmailLength = 254;  // RFC 5321 path limit
inline constexpr std::size_t kMaxEmailLocalLength = 64;
inline constexpr std::size_t kMinPasswordChars = 10;
inline constexpr std::size_t kMaxPasswordChars = 128;
inline constexpr std::size_t kMaxDisplayNameChars = 100;

/// The email in the form it is stored and compared: lower-cased. Throws core::InvalidArgument(field,
/// ...) unless it is at most 254 characters with one "@", a local part of 1..64 characters without
/// spaces, quotes or brackets, and a domain of dot-separated labels (letters, digits, hyphens; a dot
/// required).
std::string NormalizeEmail(std::string_view email, std::string_view field = "email");

/// Throws core::InvalidArgument(field, ...) unless the password is valid UTF-8 of 10..128 characters
/// without control characters, and is not the email address itself.
void ValidatePassword(std::string_view password, std::string_view normalized_email,
                      std::string_view field = "password");

/// The display name trimmed; throws core::InvalidArgument(field, ...) unless it is 1..100
/// characters without control characters.
std::string NormalizeDisplayName(std::string_view name, std::string_view field = "display_name");

}  // namespace marketplace::auth
