#include "storage/sql.hpp"

#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace marketplace::jobs::sql {

std::string Timestamp(int n) {
    return "('epoch'::timestamptz + $" + std::to_string(n) + "::bigint * interval '1 microsecond')";
}

std::string Micros(std::string_view column) {
    return "(extract(epoch FROM " + std::string(column) + ") * 1000000)::bigint";
}

std::int64_t ToMicros(core::Clock::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

core::Clock::TimePoint FromMicros(std::int64_t micros) {
    return core::Clock::TimePoint(
        std::chrono::duration_cast<core::Clock::TimePoint::duration>(std::chrono::microseconds(micros)));
}

std::string JsonArray(const std::vector<std::string>& values) { return nlohmann::json(values).dump(); }

std::vector<std::string> ParseJsonArray(std::string_view json) {
    const auto parsed = nlohmann::json::parse(json);
    if (!parsed.is_array()) throw std::runtime_error("expected a JSON array");
    return parsed.get<std::vector<std::string>>();
}

const char* LockClause(RowLock lock) {
    switch (lock) {
        case RowLock::kNone:
            return "";
        case RowLock::kShare:
            return " FOR SHARE";
        case RowLock::kUpdate:
            return " FOR UPDATE";
    }
    return "";
}

}  // namespace marketplace::jobs::sql
