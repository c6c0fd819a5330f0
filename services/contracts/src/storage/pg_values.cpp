#include "storage/pg_values.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace marketplace::contracts::storage {

NullableParam NullableParam::Time(const std::optional<TimePoint>& t) {
    return t ? NullableParam(TimeParam(*t)) : NullableParam();
}

std::string JsonArrayParam(const std::vector<std::string>& items) { return nlohmann::json(items).dump(); }

std::string JsonOf(const std::string& column) { return "array_to_json(" + column + ")::text"; }

std::vector<std::string> StringsFromJson(const pqxx::field& json_field) {
    if (json_field.is_null()) return {};
    return nlohmann::json::parse(json_field.c_str()).get<std::vector<std::string>>();
}

}  // namespace marketplace::contracts::storage
