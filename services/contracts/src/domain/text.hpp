#pragma once
// Small text rules shared by the domain: lengths in characters (UTF-8 code points), links.
#include <cstddef>
#include <string>
#include <string_view>

namespace marketplace::contracts {

/// The number of code points in `text` (protobuf already guarantees valid UTF-8 in string fields).
std::size_t Utf8Length(std::string_view text);

/// Throws core::InvalidArgument(field, "must be at most N characters") when `text` is longer.
void RequireMaxChars(std::string_view text, std::size_t max_chars, std::string_view field);

/// True when `text` holds something other than whitespace.
bool HasNonSpace(std::string_view text);

/// True for an absolute http:// or https:// URL with a host and no whitespace or control characters.
bool IsHttpUrl(std::string_view text);

/// At most `max_chars` code points of `text`, cut on a code point boundary.
std::string TruncateChars(std::string_view text, std::size_t max_chars);

}  // namespace marketplace::contracts
