#pragma once
// PostgreSQL array literals for passing many values as one parameter ($1::bigint[], $1::text[]),
// which keeps a multi-row statement at one round trip; libpqxx 6 has no array parameters.
#include <cstdint>
#include <string>
#include <vector>

namespace marketplace::db {

/// "{1,2,3}".
std::string IntArray(const std::vector<std::int64_t>& values);
/// {"a","b"}: every element quoted, with `"` and `\` escaped (the literal is a parameter, not SQL).
std::string TextArray(const std::vector<std::string>& values);

}  // namespace marketplace::db
