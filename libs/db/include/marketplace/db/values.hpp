#pragma once
// Timestamps between C++ and SQL: they travel as RFC 3339 text in `$n::timestamptz` parameters and
// come back as microseconds since the epoch (MicrosOf), so no time zone setting can change them.
#include <cstdint>
#include <optional>
#include <string>

#include "marketplace/core/clock.hpp"

namespace pqxx {
class field;
}  // namespace pqxx

namespace marketplace::db {

using TimePoint = core::Clock::TimePoint;

/// RFC 3339 text for a `$n::timestamptz` parameter.
std::string TimeParam(TimePoint t);
/// The same, or std::nullopt (SQL NULL).
std::optional<std::string> TimeParam(const std::optional<TimePoint>& t);

/// SQL selecting a timestamptz column as microseconds since the epoch (NULL stays NULL).
std::string MicrosOf(const std::string& column);
TimePoint TimeFromMicros(std::int64_t micros);
/// A MicrosOf field: NULL -> std::nullopt.
std::optional<TimePoint> OptionalTime(const pqxx::field& micros_field);

}  // namespace marketplace::db
