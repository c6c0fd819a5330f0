#pragma once
// JSON arrays of strings, the form the stores give text lists (times and row locks: marketplace/db/values.hpp).
#include <string>
#include <string_view>
#include <vector>

namespace marketplace::jobs::sql {

/// A JSON array of strings (the parameter form of text[] and jsonb lists).
std::string JsonArray(const std::vector<std::string>& values);
/// The strings of a JSON array; std::runtime_error when it is not one.
std::vector<std::string> ParseJsonArray(std::string_view json);

}  // namespace marketplace::jobs::sql
