#include "transcode/json_parser.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "http/utf8.hpp"

namespace marketplace::gateway {
namespace pb = google::protobuf;
using Field = pb::FieldDescriptor;

namespace {

constexpr std::uint64_t kMaxInt32 = 2147483647;
constexpr std::uint64_t kMaxInt64 = 9223372036854775807ULL;
constexpr std::uint64_t kMaxUInt32 = 4294967295ULL;

// The message types whose JSON is not an object of their fields (the well-known types), and proto2,
// whose rules differ: protobuf's parser reads those (a Timestamp is read below).
bool ReadsAsObject(const pb::Descriptor* type) {
    const auto* file = type->file();
    return file->syntax() == pb::FileDescriptor::SYNTAX_PROTO3 && file->package() != "google.protobuf";
}

bool IsTimestamp(const pb::Descriptor* type) { return type->full_name() == "google.protobuf.Timestamp"; }

// Exactly `width` digits at text[at], within [min, max].
bool Digits(std::string_view text, std::size_t at, std::size_t width, int min, int max, int& value) {
    if (at + width > text.size()) return false;
    value = 0;
    for (std::size_t i = at; i < at + width; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        value = value * 10 + (text[i] - '0');
    }
    return value >= min && value <= max;
}

// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
std::int64_t DaysFromCivil(int year, int month, int day) {
    const int y = month <= 2 ? year - 1 : year;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

// A Timestamp's JSON as RFC 3339 with the widths protobuf's printer writes: "YYYY-MM-DDTHH:MM:SS",
// 1 to 9 digits of fraction or none, then "Z" or an offset "+HH:MM" / "-HH:MM"; the instant within
// 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999999Z. False for any other form: protobuf's parser
// reads those (it also takes fewer digits in a field) or refuses them.
bool TimestampOf(std::string_view t, std::int64_t& seconds, std::int32_t& nanos) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!Digits(t, 0, 4, 1, 9999, year) || t.size() < 20 || t[4] != '-' || !Digits(t, 5, 2, 1, 12, month) ||
        t[7] != '-' || !Digits(t, 8, 2, 1, 31, day) || t[10] != 'T' || !Digits(t, 11, 2, 0, 23, hour) || t[13] != ':' ||
        !Digits(t, 14, 2, 0, 59, minute) || t[16] != ':' || !Digits(t, 17, 2, 0, 59, second)) {
        return false;
    }
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
    std::size_t at = 19;
    nanos = 0;
    if (t[at] == '.') {
        ++at;
        int digits = 0;
        while (at < t.size() && t[at] >= '0' && t[at] <= '9') {
            if (++digits > 9) return false;
            nanos = nanos * 10 + (t[at++] - '0');
        }
        if (digits == 0) return false;
        for (int i = digits; i < 9; ++i) nanos *= 10;
    }
    seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    if (at + 1 == t.size() && t[at] == 'Z') {
        // UTC
    } else if (at + 6 == t.size() && (t[at] == '+' || t[at] == '-') && t[at + 3] == ':') {
        int oh = 0, om = 0;
        if (!Digits(t, at + 1, 2, 0, 23, oh) || !Digits(t, at + 4, 2, 0, 59, om)) return false;
        const std::int64_t offset = oh * 3600 + om * 60;
        seconds += t[at] == '+' ? -offset : offset;
    } else {
        return false;
    }
    return seconds >= -62'135'596'800 && seconds <= 253'402'300'799;
}

// The field a JSON key names: its proto name or its JSON name (lowerCamelCase), as protobuf's parser reads them.
const Field* FieldNamed(const pb::Descriptor* type, const std::string& name) {
    if (const Field* field = type->FindFieldByName(name)) return field;
    for (int i = 0; i < type->field_count(); ++i) {
        if (type->field(i)->json_name() == name) return type->field(i);
    }
    return nullptr;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// A JSON integer, -?(0|[1-9][0-9]*), as a sign and a magnitude; false for anything else ("-0",
// more than 20 digits, a value beyond 2^64 - 1).
bool IntegerOf(std::string_view text, bool& negative, std::uint64_t& magnitude) {
    negative = !text.empty() && text.front() == '-';
    if (negative) text.remove_prefix(1);
    if (text.empty() || text.size() > 20 || (text.front() == '0' && text.size() > 1)) return false;
    magnitude = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (magnitude > (UINT64_MAX - digit) / 10) return false;
        magnitude = magnitude * 10 + digit;
    }
    return !(negative && magnitude == 0);
}

class Parser {
public:
    explicit Parser(std::string_view text) : s_(text) {}

    bool Document(pb::Message& message) {
        if (!Object(message)) return false;
        SkipSpace();
        return pos_ == s_.size();
    }

private:
    void SkipSpace() {
        while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
    }
    // The next character after any space ('\0' at the end).
    char Next() {
        SkipSpace();
        return pos_ < s_.size() ? s_[pos_] : '\0';
    }
    bool Consume(char c) {
        if (Next() != c) return false;
        ++pos_;
        return true;
    }
    bool Literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    // A JSON string at pos_ ('"'), decoded into `out`. False for what protobuf's parser would refuse
    // or might read otherwise: a raw control character, a malformed or lone-surrogate escape, \u0000,
    // invalid UTF-8.
    bool String(std::string& out) {
        out.clear();
        if (pos_ >= s_.size() || s_[pos_] != '"') return false;
        ++pos_;
        bool non_ascii = false;
        for (;;) {
            const std::size_t start = pos_;
            while (pos_ < s_.size()) {
                const auto u = static_cast<unsigned char>(s_[pos_]);
                if (u == '"' || u == '\\' || u < 0x20) break;
                non_ascii |= u >= 0x80;
                ++pos_;
            }
            out.append(s_.data() + start, pos_ - start);
            if (pos_ >= s_.size() || static_cast<unsigned char>(s_[pos_]) < 0x20) return false;
            if (s_[pos_++] == '"') return !non_ascii || IsValidUtf8(out);
            if (pos_ >= s_.size()) return false;
            switch (s_[pos_++]) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    std::uint32_t cp = 0;
                    if (!Hex4(cp) || cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) return false;
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        std::uint32_t low = 0;
                        if (!Literal("\\u") || !Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    }
                    AppendUtf8(out, cp);
                    break;
                }
                default:
                    return false;
            }
        }
    }
    bool Hex4(std::uint32_t& value) {
        if (s_.size() - pos_ < 4) return false;
        value = 0;
        for (int i = 0; i < 4; ++i) {
            const int d = HexDigit(s_[pos_++]);
            if (d < 0) return false;
            value = value * 16 + static_cast<std::uint32_t>(d);
        }
        return true;
    }

    // An integer field's value: a JSON number or a quoted one.
    bool Integer(bool& negative, std::uint64_t& magnitude) {
        if (Next() == '"') {
            if (!String(scratch_)) return false;
            return IntegerOf(scratch_, negative, magnitude);
        }
        const std::size_t start = pos_;
        if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
        if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E')) return false;
        return IntegerOf(s_.substr(start, pos_ - start), negative, magnitude);
    }

    bool Object(pb::Message& message) {
        const pb::Descriptor* type = message.GetDescriptor();
        if (!ReadsAsObject(type) || !Consume('{')) return false;
        const pb::Reflection* reflection = message.GetReflection();
        std::vector<const Field*> seen;
        std::vector<const pb::OneofDescriptor*> oneofs;
        if (Consume('}')) return true;
        std::string name;
        for (;;) {
            if (Next() != '"' || !String(name) || !Consume(':')) return false;
            const Field* field = FieldNamed(type, name);
            if (field == nullptr || field->is_map()) return false;
            for (const Field* s : seen) {
                if (s == field) return false;
            }
            seen.push_back(field);
            if (const auto* oneof = field->real_containing_oneof()) {
                for (const auto* o : oneofs) {
                    if (o == oneof) return false;
                }
                oneofs.push_back(oneof);
            }
            if (field->is_repeated()) {
                if (!Consume('[')) return false;
                if (!Consume(']')) {
                    do {
                        if (!Value(message, reflection, field)) return false;
                    } while (Consume(','));
                    if (!Consume(']')) return false;
                }
            } else if (!Value(message, reflection, field)) {
                return false;
            }
            if (Consume('}')) return true;
            if (!Consume(',')) return false;
        }
    }

    // One value of `field` (an element when it is repeated).
    bool Value(pb::Message& m, const pb::Reflection* r, const Field* f) {
        const bool add = f->is_repeated();
        switch (f->cpp_type()) {
            case Field::CPPTYPE_MESSAGE:
                if (IsTimestamp(f->message_type())) return TimestampValue(m, r, f, add);
                return Next() == '{' && Object(add ? *r->AddMessage(&m, f) : *r->MutableMessage(&m, f));
            case Field::CPPTYPE_STRING:
                if (f->type() == Field::TYPE_BYTES || Next() != '"' || !String(scratch_)) return false;
                add ? r->AddString(&m, f, scratch_) : r->SetString(&m, f, scratch_);
                return true;
            case Field::CPPTYPE_BOOL: {
                SkipSpace();
                bool value = false;
                if (Literal("true")) {
                    value = true;
                } else if (!Literal("false")) {
                    return false;
                }
                add ? r->AddBool(&m, f, value) : r->SetBool(&m, f, value);
                return true;
            }
            case Field::CPPTYPE_ENUM: {
                if (f->enum_type()->file()->package() == "google.protobuf") return false;  // NullValue
                if (Next() != '"' || !String(scratch_)) return false;
                const auto* value = f->enum_type()->FindValueByName(scratch_);
                if (value == nullptr) return false;
                add ? r->AddEnumValue(&m, f, value->number()) : r->SetEnumValue(&m, f, value->number());
                return true;
            }
            case Field::CPPTYPE_INT32:
            case Field::CPPTYPE_INT64:
            case Field::CPPTYPE_UINT32:
            case Field::CPPTYPE_UINT64:
                return IntegerValue(m, r, f, add);
            case Field::CPPTYPE_FLOAT:
            case Field::CPPTYPE_DOUBLE:
                return false;
        }
        return false;
    }

    bool TimestampValue(pb::Message& m, const pb::Reflection* r, const Field* f, bool add) {
        std::int64_t seconds = 0;
        std::int32_t nanos = 0;
        if (Next() != '"' || !String(scratch_) || !TimestampOf(scratch_, seconds, nanos)) return false;
        pb::Message* timestamp = add ? r->AddMessage(&m, f) : r->MutableMessage(&m, f);
        const pb::Descriptor* type = timestamp->GetDescriptor();
        const pb::Reflection* tr = timestamp->GetReflection();
        tr->SetInt64(timestamp, type->FindFieldByNumber(1), seconds);
        tr->SetInt32(timestamp, type->FindFieldByNumber(2), nanos);
        return true;
    }

    bool IntegerValue(pb::Message& m, const pb::Reflection* r, const Field* f, bool add) {
        bool negative = false;
        std::uint64_t magnitude = 0;
        if (!Integer(negative, magnitude)) return false;
        switch (f->cpp_type()) {
            case Field::CPPTYPE_INT32: {
                if (magnitude > (negative ? kMaxInt32 + 1 : kMaxInt32)) return false;
                const auto v = negative ? static_cast<std::int32_t>(-static_cast<std::int64_t>(magnitude))
                                        : static_cast<std::int32_t>(magnitude);
                add ? r->AddInt32(&m, f, v) : r->SetInt32(&m, f, v);
                return true;
            }
            case Field::CPPTYPE_INT64: {
                if (magnitude > (negative ? kMaxInt64 + 1 : kMaxInt64)) return false;
                // -(2^63) has no positive int64; 0 - magnitude in unsigned arithmetic is its two's complement.
                const auto v =
                    negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
                add ? r->AddInt64(&m, f, v) : r->SetInt64(&m, f, v);
                return true;
            }
            case Field::CPPTYPE_UINT32: {
                if (negative || magnitude > kMaxUInt32) return false;
                const auto v = static_cast<std::uint32_t>(magnitude);
                add ? r->AddUInt32(&m, f, v) : r->SetUInt32(&m, f, v);
                return true;
            }
            case Field::CPPTYPE_UINT64:
                if (negative) return false;
                add ? r->AddUInt64(&m, f, magnitude) : r->SetUInt64(&m, f, magnitude);
                return true;
            default:
                return false;
        }
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    std::string scratch_;
};

}  // namespace

bool ParseJsonFast(std::string_view json, pb::Message& message) { return Parser(json).Document(message); }

}  // namespace marketplace::gateway
