#pragma once
// Request targets: origin-form "/path?query", percent-decoding, and query strings.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace marketplace::gateway {

struct Target {
    std::string_view path;   // raw (still percent-encoded), starts with '/'
    std::string_view query;  // raw, without the '?'; empty when absent
};

/// Splits an origin-form target. Throws RequestError (400) unless it starts with '/', and for a
/// fragment, bytes outside printable ASCII, or "." / ".." segments (plain or percent-encoded):
/// the gateway never resolves relative paths, so such a path is an attempt at traversal.
Target SplitTarget(std::string_view target);

/// The raw segments of a path ("/a/b" -> {"a","b"}; "/" -> {}; "/a/" -> {"a",""}).
std::vector<std::string_view> SplitPath(std::string_view path);

/// Percent-decodes `in` into `out`; with `plus_is_space` (query strings) '+' means ' '. Returns
/// false for a malformed escape ('%' not followed by two hex digits).
bool PercentDecode(std::string_view in, std::string& out, bool plus_is_space = false);

/// "a=1&b=x%20y&a=2" -> {{"a","1"},{"b","x y"},{"a","2"}} in order. Throws RequestError (400) for a
/// malformed escape, an empty name, or a name or value that is not valid UTF-8 once decoded.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace marketplace::gateway
