#pragma once
// PostgreSQL array literals for passing many values as one parameter ($1::bigint[]), which keeps a
// multi-row statement at one round trip. libpqxx 6 has no array parameters of its own.
#include <cstdint>
#include <string>
#include <vector>

namespace marketplace::payments::storage {

/// "{1,2,3}".
std::string IntArray(const std::vector<std::int64_t>& values);
/// {"a","b"} with every element quoted and escaped.
std::string TextArray(const std::vector<std::string>& values);

}  // namespace marketplace::payments::storage
