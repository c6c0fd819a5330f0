#pragma once
// UTF-8 checks for what arrives from clients (bodies, path variables, query values) and for what
// the gateway writes into JSON error bodies.
#include <cstddef>
#include <string>
#include <string_view>

namespace marketplace::gateway {

/// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view text);

/// The offset of the first byte that is not part of a well-formed UTF-8 sequence, or npos.
std::size_t FirstInvalidUtf8(std::string_view text);

/// `text` with every ill-formed sequence replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view text);

}  // namespace marketplace::gateway
