#pragma once
// Conversions between domain values and SQL parameters / result fields. Timestamps travel as
// RFC 3339 text and come back as microseconds since the epoch; text arrays travel as JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/milestone.hpp"
#include "marketplace/db/values.hpp"

namespace pqxx {
class field;
}  // namespace pqxx

namespace marketplace::contracts::storage {

/// RFC 3339 text for a `$n::timestamptz` parameter; microseconds back (marketplace/db/values.hpp).
using db::MicrosOf;
using db::OptionalTime;
using db::TimeFromMicros;
using db::TimeParam;

/// A nullable parameter: holds the text, or nothing (NULL). Pass `.get()` as a statement parameter.
class NullableParam final {
public:
    NullableParam() = default;
    explicit NullableParam(std::optional<std::string> value) : value_(std::move(value)) {}
    static NullableParam Time(const std::optional<TimePoint>& t);
    const char* get() const { return value_ ? value_->c_str() : nullptr; }

private:
    std::optional<std::string> value_;
};

/// A JSON array of strings, for `ARRAY(SELECT jsonb_array_elements_text($n::jsonb))`.
std::string JsonArrayParam(const std::vector<std::string>& items);

/// SQL selecting a text[] column as JSON text.
std::string JsonOf(const std::string& column);

std::vector<std::string> StringsFromJson(const pqxx::field& json_field);

}  // namespace marketplace::contracts::storage
