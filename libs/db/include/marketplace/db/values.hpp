#pragma once
// Timestamps between C++ and SQL: they travel as RFC 3339 text in `$n::timestamptz` parameters and
// come back as microseconds since the epoch (MicrosOf), so no time zone setting can change them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "marketplace/core/clock.hpp"
#include "marketplace/core/micros.hpp"

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
std::string MicrosOf(std::string_view column);
/// SQL turning the bigint parameter $n (microseconds since the epoch) into a timestamptz.
std::string TimeFromMicrosParam(int n);
using core::MicrosSinceEpoch;
using core::TimeFromMicros;
/// A MicrosOf field: NULL -> std::nullopt.
std::optional<TimePoint> OptionalTime(const pqxx::field& micros_field);

/// How a read locks the rows it returns.
enum class RowLock {
    kNone,
    kShare,         // FOR SHARE: others may read and share-lock, not change
    kUpdate,        // FOR UPDATE: wait for the row
    kUpdateNoWait,  // FOR UPDATE NOWAIT: fail at once (SQLSTATE 55P03) when another transaction holds it
};
/// " FOR SHARE", " FOR UPDATE", " FOR UPDATE NOWAIT" or "", to append to a SELECT; with `of`, the
/// lock takes only that table's rows of a join (" FOR UPDATE OF m").
std::string LockClause(RowLock lock, std::string_view of = {});

}  // namespace marketplace::db
