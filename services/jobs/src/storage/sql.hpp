#pragma once
// Small helpers shared by the stores: timestamps as microseconds, text arrays and JSON arrays.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "marketplace/core/clock.hpp"
#include "storage/records.hpp"

namespace marketplace::jobs::sql {

/// SQL turning the bigint parameter $n (microseconds since the epoch) into a timestamptz.
std::string Timestamp(int n);
/// SQL reading a timestamptz column as bigint microseconds since the epoch.
std::string Micros(std::string_view column);

std::int64_t ToMicros(core::Clock::TimePoint t);
core::Clock::TimePoint FromMicros(std::int64_t micros);

/// A JSON array of strings (the parameter form of text[] and jsonb lists).
std::string JsonArray(const std::vector<std::string>& values);
/// The strings of a JSON array; std::runtime_error when it is not one.
std::vector<std::string> ParseJsonArray(std::string_view json);

/// " FOR SHARE", " FOR UPDATE" or "".
const char* LockClause(RowLock lock);

}  // namespace marketplace::jobs::sql
