#pragma once
// Checks on text input. Lengths count Unicode code points (the wire carries valid UTF-8, which
// protobuf enforces for string fields); each failure names the field and the rule.
#include <cstddef>
#include <string>
#include <string_view>

namespace marketplace::jobs {

/// Number of code points in UTF-8 text (continuation bytes are not counted).
std::size_t CharCount(std::string_view text);

/// A one-line value: trimmed of surrounding white space, then 1..max characters without control
/// characters. Returns the trimmed value. Rules: "is required", "must be at most N characters",
/// "must not contain control characters".
std::string RequireLine(std::string_view field, std::string_view value, std::size_t max_chars);

/// Multi-line text: trimmed, then min..max characters (min 0 or 1); tabs and line breaks are allowed,
/// other control characters are not. Returns the trimmed value.
std::string RequireText(std::string_view field, std::string_view value, std::size_t min_chars, std::size_t max_chars);

/// Empty, or an absolute https URL with a host, without credentials, white space or control
/// characters, of at most max_chars characters.
std::string RequireOptionalHttpsUrl(std::string_view field, std::string_view value, std::size_t max_chars);

/// "field[index]".
std::string Indexed(std::string_view field, std::size_t index);

}  // namespace marketplace::jobs
