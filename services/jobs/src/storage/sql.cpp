#include "storage/sql.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace marketplace::jobs::sql {

std::string JsonArray(const std::vector<std::string>& values) { return nlohmann::json(values).dump(); }

std::vector<std::string> ParseJsonArray(std::string_view json) {
    const auto parsed = nlohmann::json::parse(json);
    if (!parsed.is_array()) throw std::runtime_error("expected a JSON array");
    return parsed.get<std::vector<std::string>>();
}

}  // namespace marketplace::jobs::sql
