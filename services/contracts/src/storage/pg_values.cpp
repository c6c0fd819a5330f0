#include "storage/pg_values.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace marketplace::contracts::storage {

std::string TimeParam(TimePoint t) { return core::FormatRfc3339(t); }

NullableParam NullableParam::Time(const std::optional<TimePoint>& t) {
    return t ? NullableParam(TimeParam(*t)) : NullableParam();
}

std::string JsonArrayParam(const std::vector<std::string>& items) { return nlohmann::json(items).dump(); }

std::string MicrosOf(const std::string& column) { return "(extract(epoch FROM " + column + ") * 1000000)::bigint"; }

std::string JsonOf(const std::string& column) { return "array_to_json(" + column + ")::text"; }

TimePoint TimeFromMicros(std::int64_t micros) {
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)));
}

std::optional<TimePoint> OptionalTime(const pqxx::field& micros_field) {
    if (micros_field.is_null()) return std::nullopt;
    return TimeFromMicros(micros_field.as<std::int64_t>());
}

std::vector<std::string> StringsFromJson(const pqxx::field& json_field) {
    if (json_field.is_null()) return {};
    return nlohmann::json::parse(json_field.c_str()).get<std::vector<std::string>>();
}

}  // namespace marketplace::contracts::storage
