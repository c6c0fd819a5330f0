#include "marketplace/db/values.hpp"

#include <pqxx/pqxx>

namespace marketplace::db {

std::string TimeParam(TimePoint t) { return core::FormatRfc3339(t); }

std::optional<std::string> TimeParam(const std::optional<TimePoint>& t) {
    if (!t) return std::nullopt;
    return TimeParam(*t);
}

std::string MicrosOf(const std::string& column) { return "(extract(epoch FROM " + column + ") * 1000000)::bigint"; }

TimePoint TimeFromMicros(std::int64_t micros) {
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)));
}

std::optional<TimePoint> OptionalTime(const pqxx::field& micros_field) {
    if (micros_field.is_null()) return std::nullopt;
    return TimeFromMicros(micros_field.as<std::int64_t>());
}

}  // namespace marketplace::db
