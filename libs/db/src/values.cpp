#include "marketplace/db/values.hpp"

#include <pqxx/pqxx>

namespace marketplace::db {

std::string TimeParam(TimePoint t) { return core::FormatRfc3339(t); }

std::optional<std::string> TimeParam(const std::optional<TimePoint>& t) {
    if (!t) return std::nullopt;
    return TimeParam(*t);
}

std::string MicrosOf(std::string_view column) {
    return "(extract(epoch FROM " + std::string(column) + ") * 1000000)::bigint";
}

std::string TimeFromMicrosParam(int n) {
    return "('epoch'::timestamptz + $" + std::to_string(n) + "::bigint * interval '1 microsecond')";
}

std::optional<TimePoint> OptionalTime(const pqxx::field& micros_field) {
    if (micros_field.is_null()) return std::nullopt;
    return TimeFromMicros(micros_field.as<std::int64_t>());
}

std::string LockClause(RowLock lock, std::string_view of) {
    const char* strength = nullptr;
    switch (lock) {
        case RowLock::kNone:
            return {};
        case RowLock::kShare:
            strength = " FOR SHARE";
            break;
        case RowLock::kUpdate:
        case RowLock::kUpdateNoWait:
            strength = " FOR UPDATE";
            break;
    }
    std::string clause = strength;
    if (!of.empty()) clause.append(" OF ").append(of);
    if (lock == RowLock::kUpdateNoWait) clause += " NOWAIT";
    return clause;
}

}  // namespace marketplace::db
