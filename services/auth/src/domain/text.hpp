#pragma once
// Text rules for the auth service's input: lengths in characters (UTF-8 code points).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace marketplace::auth {

/// The number of code points in `text`, or nullopt when it is not valid UTF-8.
std::optional<std::size_t> Utf8Length(std::string_view text);

/// Throws core::InvalidArgument(field, ...) unless `text` is valid UTF-8 of at most `max_chars`
/// characters without control characters (tab and newline only where `allow_newlines`).
void RequireText(std::string_view text, std::size_t max_chars, std::string_view field, bool allow_newlines = false);

/// `text` without leading and trailing ASCII whitespace.
std::string Trim(std::string_view text);

/// ASCII lower case.
std::string AsciiLower(std::string_view text);

}  // namespace marketplace::auth
