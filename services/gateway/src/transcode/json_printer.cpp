#include "transcode/json_printer.hpp"

#include <algorithm>
#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace marketplace::gateway {
namespace {
namespace pb = google::protobuf;
using Field = pb::FieldDescriptor;

// Escaped as protobuf's printer escapes, which is more than JSON requires (and than the log lines'
// core::log::AppendJsonEscaped): also DEL, '<', '>', U+2028 and U+2029, so the bytes are protobuf's.
void AppendEscaped(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const auto u = static_cast<unsigned char>(c);
        // U+2028 and U+2029 (line and paragraph separators) are escaped as protobuf escapes them.
        if (u == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
            (static_cast<unsigned char>(text[i + 2]) == 0xA8 || static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
            out += static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
            i += 2;
            continue;
        }
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (u < 0x20 || u == 0x7F || c == '<' || c == '>') {
                    out += "\\u00";
                    out.push_back(kHex[u >> 4]);
                    out.push_back(kHex[u & 0xF]);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

void AppendBase64(std::string& out, std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out.push_back('"');
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                                (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                                static_cast<unsigned char>(bytes[i + 2]);
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(kAlphabet[(n >> 6) & 63]);
        out.push_back(kAlphabet[n & 63]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    out.push_back('"');
}

// The shortest of `digits` or `more` significant digits that reads back as the same value (protobuf's
// SimpleDtoa and SimpleFtoa).
template <typename T>
void AppendFloating(std::string& out, T value, int digits, int more) {
    if (std::isnan(value)) {
        out += "\"NaN\"";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        return;
    }
    char buffer[48];
    std::snprintf(buffer, sizeof(buffer), "%.*g", digits, static_cast<double>(value));
    bool same = false;
    if constexpr (sizeof(T) == sizeof(float)) {
        same = std::strtof(buffer, nullptr) == value;
    } else {
        same = std::strtod(buffer, nullptr) == value;
    }
    if (!same) std::snprintf(buffer, sizeof(buffer), "%.*g", more, static_cast<double>(value));
    out += buffer;
}

// The fraction of a second as protobuf prints it: none, or 3, 6 or 9 digits.
void AppendNanos(std::string& out, std::int32_t nanos) {
    if (nanos == 0) return;
    char buffer[16];
    if (nanos % 1'000'000 == 0) {
        std::snprintf(buffer, sizeof(buffer), ".%03d", nanos / 1'000'000);
    } else if (nanos % 1'000 == 0) {
        std::snprintf(buffer, sizeof(buffer), ".%06d", nanos / 1'000);
    } else {
        std::snprintf(buffer, sizeof(buffer), ".%09d", nanos);
    }
    out += buffer;
}

// 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z, as protobuf accepts.
constexpr std::int64_t kMinTimestampSeconds = -62'135'596'800;
constexpr std::int64_t kMaxTimestampSeconds = 253'402'300'799;
constexpr std::int64_t kMaxDurationSeconds = 315'576'000'000;

bool AppendTimestamp(std::string& out, std::int64_t seconds, std::int32_t nanos) {
    if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds || nanos < 0 || nanos > 999'999'999) {
        return false;
    }
    std::int64_t days = seconds / 86'400;
    std::int64_t rest = seconds % 86'400;
    if (rest < 0) {
        rest += 86'400;
        --days;
    }
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    const std::int64_t z = days + 719'468;
    const std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
    const std::int64_t doe = z - era * 146'097;
    const std::int64_t yoe = (doe - doe / 1'460 + doe / 36'524 - doe / 146'096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    char buffer[80];  // room for any int64 in each field, as the compiler checks
    std::snprintf(buffer, sizeof(buffer),
                  "\"%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64 ":%02" PRId64, year, month,
                  day, rest / 3'600, rest / 60 % 60, rest % 60);
    out += buffer;
    AppendNanos(out, nanos);
    out += "Z\"";
    return true;
}

bool AppendDuration(std::string& out, std::int64_t seconds, std::int32_t nanos) {
    if (seconds < -kMaxDurationSeconds || seconds > kMaxDurationSeconds || nanos < -999'999'999 ||
        nanos > 999'999'999 || (seconds < 0 && nanos > 0) || (seconds > 0 && nanos < 0)) {
        return false;
    }
    out.push_back('"');
    if (seconds < 0 || nanos < 0) out.push_back('-');
    out += std::to_string(seconds < 0 ? -static_cast<std::uint64_t>(seconds) : static_cast<std::uint64_t>(seconds));
    AppendNanos(out, nanos < 0 ? -nanos : nanos);
    out += "s\"";
    return true;
}

class Printer {
public:
    explicit Printer(std::string& out) : out_(out) {}

    bool Message(const pb::Message& message) {
        const pb::Descriptor* type = message.GetDescriptor();
        if (type->file()->package() == "google.protobuf") return WellKnown(message, type);
        // proto2 prints unset fields with presence by other rules: protobuf's printer does those.
        if (type->file()->syntax() != pb::FileDescriptor::SYNTAX_PROTO3) return false;
        const pb::Reflection* reflection = message.GetReflection();
        out_.push_back('{');
        bool first = true;
        // protobuf's printer lays out the fields it prints by default in declaration order, and adds
        // the set fields it has no place for after them, in field number order: members of a oneof (or
        // `optional`) that are not messages, and fields printed as a single JSON value (a Timestamp, a
        // Duration, a wrapper).
        std::vector<const Field*> later;
        for (int i = 0; i < type->field_count(); ++i) {
            const Field* field = type->field(i);
            if (field->type() == Field::TYPE_GROUP) return false;
            if (!field->is_repeated() && field->has_presence() && !reflection->HasField(message, field)) continue;
            if (!field->is_repeated() && (PrintedAsValue(field) || (field->containing_oneof() != nullptr &&
                                                                    field->cpp_type() != Field::CPPTYPE_MESSAGE))) {
                later.push_back(field);
                continue;
            }
            if (!Member(message, reflection, field, first)) return false;
        }
        std::sort(later.begin(), later.end(), [](const Field* a, const Field* b) { return a->number() < b->number(); });
        for (const Field* field : later) {
            if (!Member(message, reflection, field, first)) return false;
        }
        out_.push_back('}');
        return true;
    }

private:
    // A message field that prints as one JSON value rather than an object.
    static bool PrintedAsValue(const Field* field) {
        if (field->cpp_type() != Field::CPPTYPE_MESSAGE) return false;
        const pb::Descriptor* type = field->message_type();
        if (type->file()->package() != "google.protobuf") return false;
        const std::string& name = type->name();
        return name == "Timestamp" || name == "Duration" || name == "DoubleValue" || name == "FloatValue" ||
               name == "Int64Value" || name == "UInt64Value" || name == "Int32Value" || name == "UInt32Value" ||
               name == "BoolValue" || name == "StringValue" || name == "BytesValue";
    }

    bool Member(const pb::Message& message, const pb::Reflection* reflection, const Field* field, bool& first) {
        if (!first) out_.push_back(',');
        first = false;
        AppendEscaped(out_, field->name());
        out_.push_back(':');
        if (field->is_map()) return Map(message, reflection, field);
        if (field->is_repeated()) {
            out_.push_back('[');
            const int size = reflection->FieldSize(message, field);
            for (int k = 0; k < size; ++k) {
                if (k > 0) out_.push_back(',');
                if (!Value(message, reflection, field, k)) return false;
            }
            out_.push_back(']');
            return true;
        }
        return Value(message, reflection, field, -1);
    }

    bool Map(const pb::Message& message, const pb::Reflection* reflection, const Field* field) {
        out_.push_back('{');
        const int size = reflection->FieldSize(message, field);
        for (int k = 0; k < size; ++k) {
            const pb::Message& entry = reflection->GetRepeatedMessage(message, field, k);
            const pb::Reflection* entry_reflection = entry.GetReflection();
            const Field* key = field->message_type()->map_key();
            const Field* value = field->message_type()->map_value();
            if (k > 0) out_.push_back(',');
            switch (key->cpp_type()) {
                case Field::CPPTYPE_STRING:
                    AppendEscaped(out_, entry_reflection->GetString(entry, key));
                    break;
                case Field::CPPTYPE_BOOL:
                    out_ += entry_reflection->GetBool(entry, key) ? "\"true\"" : "\"false\"";
                    break;
                default: {
                    std::string number;
                    Scalar(number, entry, entry_reflection, key, -1);
                    if (number.front() != '"') number = '"' + number + '"';
                    out_ += number;
                }
            }
            out_.push_back(':');
            if (!Value(entry, entry_reflection, value, -1)) return false;
        }
        out_.push_back('}');
        return true;
    }

    // One value of `field` (element `index` of a repeated field, or the field when -1).
    bool Value(const pb::Message& message, const pb::Reflection* reflection, const Field* field, int index) {
        if (field->cpp_type() == Field::CPPTYPE_MESSAGE) {
            const pb::Message& child = index < 0 ? reflection->GetMessage(message, field)
                                                 : reflection->GetRepeatedMessage(message, field, index);
            return Message(child);
        }
        Scalar(out_, message, reflection, field, index);
        return true;
    }

    static void Scalar(std::string& out, const pb::Message& m, const pb::Reflection* r, const Field* f, int i) {
        const bool one = i < 0;
        switch (f->cpp_type()) {
            case Field::CPPTYPE_INT32:
                out += std::to_string(one ? r->GetInt32(m, f) : r->GetRepeatedInt32(m, f, i));
                break;
            case Field::CPPTYPE_UINT32:
                out += std::to_string(one ? r->GetUInt32(m, f) : r->GetRepeatedUInt32(m, f, i));
                break;
            case Field::CPPTYPE_INT64:
                out += '"' + std::to_string(one ? r->GetInt64(m, f) : r->GetRepeatedInt64(m, f, i)) + '"';
                break;
            case Field::CPPTYPE_UINT64:
                out += '"' + std::to_string(one ? r->GetUInt64(m, f) : r->GetRepeatedUInt64(m, f, i)) + '"';
                break;
            case Field::CPPTYPE_DOUBLE:
                AppendFloating(out, one ? r->GetDouble(m, f) : r->GetRepeatedDouble(m, f, i), DBL_DIG, DBL_DIG + 2);
                break;
            case Field::CPPTYPE_FLOAT:
                AppendFloating(out, one ? r->GetFloat(m, f) : r->GetRepeatedFloat(m, f, i), FLT_DIG, FLT_DIG + 3);
                break;
            case Field::CPPTYPE_BOOL:
                out += (one ? r->GetBool(m, f) : r->GetRepeatedBool(m, f, i)) ? "true" : "false";
                break;
            case Field::CPPTYPE_ENUM: {
                const int number = one ? r->GetEnumValue(m, f) : r->GetRepeatedEnumValue(m, f, i);
                if (f->enum_type()->full_name() == "google.protobuf.NullValue") {
                    out += "null";
                    break;
                }
                const pb::EnumValueDescriptor* value = f->enum_type()->FindValueByNumber(number);
                if (value != nullptr) {
                    AppendEscaped(out, value->name());
                } else {
                    out += std::to_string(number);
                }
                break;
            }
            case Field::CPPTYPE_STRING: {
                std::string scratch;
                const std::string& text =
                    one ? r->GetStringReference(m, f, &scratch) : r->GetRepeatedStringReference(m, f, i, &scratch);
                if (f->type() == Field::TYPE_BYTES) {
                    AppendBase64(out, text);
                } else {
                    AppendEscaped(out, text);
                }
                break;
            }
            case Field::CPPTYPE_MESSAGE:
                break;  // not a scalar: Value handles it
        }
    }

    bool WellKnown(const pb::Message& message, const pb::Descriptor* type) {
        const pb::Reflection* reflection = message.GetReflection();
        const std::string& name = type->name();
        if (name == "Timestamp" || name == "Duration") {
            const Field* seconds = type->FindFieldByNumber(1);
            const Field* nanos = type->FindFieldByNumber(2);
            if (seconds == nullptr || nanos == nullptr) return false;
            const auto s = reflection->GetInt64(message, seconds);
            const auto n = reflection->GetInt32(message, nanos);
            return name == "Timestamp" ? AppendTimestamp(out_, s, n) : AppendDuration(out_, s, n);
        }
        if (name == "DoubleValue" || name == "FloatValue" || name == "Int64Value" || name == "UInt64Value" ||
            name == "Int32Value" || name == "UInt32Value" || name == "BoolValue" || name == "StringValue" ||
            name == "BytesValue") {
            const Field* value = type->FindFieldByNumber(1);
            if (value == nullptr) return false;
            Scalar(out_, message, reflection, value, -1);
            return true;
        }
        return false;  // Any, Struct, Value, ListValue, FieldMask, Empty: protobuf's printer
    }

    std::string& out_;
};

}  // namespace

std::optional<std::string> PrintJson(const google::protobuf::Message& message) {
    std::string out;
    out.reserve(256);
    Printer printer(out);
    if (!printer.Message(message)) return std::nullopt;
    return out;
}

}  // namespace marketplace::gateway
