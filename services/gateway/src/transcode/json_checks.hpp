#pragma once
// Checks on a JSON body before the protobuf parser sees it, so that bad input gets a clear message
// and bounded work: valid UTF-8, and nesting no deeper than a limit.
#include <cstddef>
#include <string_view>

namespace marketplace::gateway {

inline constexpr int kDefaultMaxJsonDepth = 32;

/// Throws RequestError (400) when `body` is not valid UTF-8 (naming the byte offset), when its
/// arrays and objects nest deeper than `max_depth`, or, unless `allow_nested_arrays`, when an array
/// holds an array: no proto field takes that (a repeated field is one list of values), and the
/// protobuf parser would silently flatten it. Does not otherwise validate the JSON.
void CheckJsonBody(std::string_view body, int max_depth = kDefaultMaxJsonDepth, bool allow_nested_arrays = false);

/// True when `body` holds only JSON whitespace.
bool IsBlank(std::string_view body);

}  // namespace marketplace::gateway
