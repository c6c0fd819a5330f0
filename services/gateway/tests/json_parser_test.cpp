// The gateway's request-body reader against protobuf's parser (util::JsonStringToMessage, unknown
// fields refused): whatever ParseJsonFast accepts, protobuf's parser must accept too and read into an
// equal message. Bodies come written the ways clients write them (proto or JSON field names, integers
// quoted or not, escapes, spaces), from random messages of every API type and of a message built at
// run time with every field kind, then cut and mangled byte by byte.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "random_messages.hpp"
#include "transcode/json_parser.hpp"

using namespace marketplace::gateway;
using random_messages::ApiTypes;
using random_messages::Filler;
namespace pb = google::protobuf;
using Field = pb::FieldDescriptor;

namespace {

bool ProtobufParses(const std::string& json, pb::Message& message) {
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    return pb::util::JsonStringToMessage(json, &message, options).ok();
}

// Writes a message's JSON the many ways a client may: either field name, integers as numbers or
// strings, any character escaped, spaces between tokens. What the fast reader leaves to protobuf
// (floating point, bytes, the well-known types, maps, unknown enum numbers) is written in protobuf's
// own forms so that protobuf's parser reads every document.
class ClientWriter {
public:
    explicit ClientWriter(std::uint32_t seed) : rng_(seed) {}

    std::string Write(const pb::Message& message) {
        std::string out;
        Object(message, out);
        return out;
    }

private:
    bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
    void Space(std::string& out) {
        if (Chance(0.2)) out += Chance(0.5) ? " " : "\n\t ";
    }

    void Object(const pb::Message& m, std::string& out) {
        if (m.GetDescriptor()->file()->package() == "google.protobuf") {
            std::string wkt;
            REQUIRE(pb::util::MessageToJsonString(m, &wkt).ok());
            out += wkt;
            return;
        }
        std::vector<const Field*> fields;
        m.GetReflection()->ListFields(m, &fields);
        std::shuffle(fields.begin(), fields.end(), rng_);
        out += '{';
        bool first = true;
        for (const Field* f : fields) {
            if (!first) out += ',';
            first = false;
            Space(out);
            Quote(Chance(0.5) ? f->name() : f->json_name(), out);
            Space(out);
            out += ':';
            Space(out);
            if (f->is_map()) {
                Map(m, f, out);
            } else if (f->is_repeated()) {
                out += '[';
                for (int i = 0; i < m.GetReflection()->FieldSize(m, f); ++i) {
                    if (i > 0) out += ',';
                    Space(out);
                    Value(m, f, i, out);
                }
                out += ']';
            } else {
                Value(m, f, -1, out);
            }
            Space(out);
        }
        out += '}';
    }

    void Map(const pb::Message& m, const Field* f, std::string& out) {
        out += '{';
        const auto* r = m.GetReflection();
        for (int i = 0; i < r->FieldSize(m, f); ++i) {
            const pb::Message& entry = r->GetRepeatedMessage(m, f, i);
            std::string key;
            Scalar(entry, entry.GetDescriptor()->field(0), -1, key, /*as_key=*/true);
            if (i > 0) out += ',';
            out += key;
            out += ':';
            Value(entry, entry.GetDescriptor()->field(1), -1, out);
        }
        out += '}';
    }

    void Value(const pb::Message& m, const Field* f, int index, std::string& out) {
        if (f->cpp_type() == Field::CPPTYPE_MESSAGE) {
            const auto* r = m.GetReflection();
            Object(index < 0 ? r->GetMessage(m, f) : r->GetRepeatedMessage(m, f, index), out);
        } else {
            Scalar(m, f, index, out, false);
        }
    }

    void Scalar(const pb::Message& m, const Field* f, int index, std::string& out, bool as_key) {
        const auto* r = m.GetReflection();
        const bool rep = index >= 0;
        const auto integer = [&](const std::string& digits) {
            if (as_key || Chance(0.4)) {
                out += '"' + digits + '"';
            } else {
                out += digits;
            }
        };
        switch (f->cpp_type()) {
            case Field::CPPTYPE_INT32:
                integer(std::to_string(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f)));
                break;
            case Field::CPPTYPE_INT64:
                integer(std::to_string(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f)));
                break;
            case Field::CPPTYPE_UINT32:
                integer(std::to_string(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f)));
                break;
            case Field::CPPTYPE_UINT64:
                integer(std::to_string(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f)));
                break;
            case Field::CPPTYPE_BOOL: {
                const bool v = rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f);
                out += as_key ? (v ? "\"true\"" : "\"false\"") : (v ? "true" : "false");
                break;
            }
            case Field::CPPTYPE_ENUM: {
                const int number = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
                const auto* v = f->enum_type()->FindValueByNumber(number);  // null for a number it does not name
                if (v != nullptr && Chance(0.9)) {
                    Quote(v->name(), out);
                } else {
                    out += std::to_string(number);
                }
                break;
            }
            case Field::CPPTYPE_STRING:
                if (f->type() == Field::TYPE_BYTES) {  // protobuf's form for bytes: base64
                    const std::string bytes = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
                    std::string base64;
                    Base64(bytes, base64);
                    out += '"' + base64 + '"';
                } else {
                    Quote(rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f), out);
                }
                break;
            case Field::CPPTYPE_DOUBLE:
            case Field::CPPTYPE_FLOAT: {
                const double v = f->cpp_type() == Field::CPPTYPE_DOUBLE
                                     ? (rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f))
                                     : (rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
                if (std::isnan(v)) {
                    out += "\"NaN\"";
                } else if (std::isinf(v)) {
                    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
                } else {
                    char buffer[40];
                    std::snprintf(buffer, sizeof buffer, "%.17g", v);
                    out += as_key ? '"' + std::string(buffer) + '"' : std::string(buffer);
                }
                break;
            }
            case Field::CPPTYPE_MESSAGE:
                break;
        }
    }

    static void Base64(const std::string& in, std::string& out) {
        static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        std::size_t i = 0;
        for (; i + 2 < in.size(); i += 3) {
            const auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
            for (int s : {18, 12, 6, 0}) out += kAlphabet[(n >> s) & 63];
        }
        if (i + 1 == in.size()) {
            const auto n = static_cast<unsigned char>(in[i]) << 16;
            out += kAlphabet[(n >> 18) & 63];
            out += kAlphabet[(n >> 12) & 63];
            out += "==";
        } else if (i + 2 == in.size()) {
            const auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
            out += kAlphabet[(n >> 18) & 63];
            out += kAlphabet[(n >> 12) & 63];
            out += kAlphabet[(n >> 6) & 63];
            out += '=';
        }
    }

    // A JSON string: quotes, backslashes and control characters always escaped, anything else now
    // and then (as \uXXXX, a surrogate pair beyond the BMP, or "\/").
    void Quote(const std::string& text, std::string& out) {
        out += '"';
        for (std::size_t i = 0; i < text.size();) {
            const auto u = static_cast<unsigned char>(text[i]);
            const std::size_t len = u < 0x80 ? 1 : u < 0xE0 ? 2 : u < 0xF0 ? 3 : 4;
            std::uint32_t cp = len == 1 ? u : len == 2 ? (u & 0x1F) : len == 3 ? (u & 0x0F) : (u & 0x07);
            for (std::size_t k = 1; k < len && i + k < text.size(); ++k) {
                cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
            }
            const bool must = cp < 0x20 || cp == '"' || cp == '\\';
            if (cp == '"' || cp == '\\') {
                out += '\\';
                out += static_cast<char>(cp);
            } else if (cp == '\n' && Chance(0.5)) {
                out += "\\n";
            } else if (cp == '/' && Chance(0.5)) {
                out += "\\/";
            } else if (must || Chance(0.15)) {
                char buffer[16];
                if (cp >= 0x10000) {
                    const std::uint32_t v = cp - 0x10000;
                    std::snprintf(buffer, sizeof buffer, "\\u%04X\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
                } else {
                    std::snprintf(buffer, sizeof buffer, Chance(0.5) ? "\\u%04x" : "\\u%04X", cp);
                }
                out += buffer;
            } else {
                out.append(text, i, len);
            }
            i += len;
        }
        out += '"';
    }

    std::mt19937 rng_;
};

// Clears the fields whose JSON the fast reader returns to protobuf (floating point, bytes, maps,
// the well-known types but Timestamp), so that what is left is read by the fast reader.
void KeepReadable(pb::Message& m) {
    std::vector<const Field*> fields;
    m.GetReflection()->ListFields(m, &fields);
    for (const Field* f : fields) {
        const bool returned =
            f->cpp_type() == Field::CPPTYPE_DOUBLE || f->cpp_type() == Field::CPPTYPE_FLOAT ||
            f->type() == Field::TYPE_BYTES || f->is_map() ||
            (f->message_type() != nullptr && f->message_type()->file()->package() == "google.protobuf" &&
             f->message_type()->full_name() != "google.protobuf.Timestamp");
        if (returned) {
            m.GetReflection()->ClearField(&m, f);
        } else if (f->cpp_type() == Field::CPPTYPE_MESSAGE && f->is_repeated()) {
            for (int i = 0; i < m.GetReflection()->FieldSize(m, f); ++i) {
                KeepReadable(*m.GetReflection()->MutableRepeatedMessage(&m, f, i));
            }
        } else if (f->cpp_type() == Field::CPPTYPE_MESSAGE) {
            KeepReadable(*m.GetReflection()->MutableMessage(&m, f));
        }
    }
}

struct Tally {
    int fast = 0;      // read by the fast reader (and checked against protobuf's)
    int returned = 0;  // handed back to protobuf's parser
};

// The property: a body the fast reader accepts, protobuf's parser accepts too, into an equal message.
void CheckAgainstProtobuf(const pb::Message& prototype, const std::string& json, Tally& tally) {
    std::unique_ptr<pb::Message> fast(prototype.New());
    if (!ParseJsonFast(json, *fast)) {
        ++tally.returned;
        return;
    }
    ++tally.fast;
    std::unique_ptr<pb::Message> theirs(prototype.New());
    INFO(prototype.GetDescriptor()->full_name() << ": " << json);
    REQUIRE(ProtobufParses(json, *theirs));
    REQUIRE(pb::util::MessageDifferencer::Equals(*fast, *theirs));
}

// `json` cut, doubled, or with a byte replaced by a JSON token character, at a random place.
std::string Mangle(const std::string& json, std::mt19937& rng) {
    static const std::string kTokens = "{}[],:\"\\ 0-1.eEntfu/\x01";
    std::string out = json;
    const std::size_t at = rng() % (out.size() + 1);
    switch (rng() % 4) {
        case 0:
            if (at < out.size()) out.erase(at, 1);
            break;
        case 1:
            out.insert(at, 1, kTokens[rng() % kTokens.size()]);
            break;
        case 2:
            if (at < out.size()) out[at] = kTokens[rng() % kTokens.size()];
            break;
        default:
            out.insert(at, out.substr(at, rng() % 12));
            break;
    }
    return out;
}

}  // namespace

TEST_CASE("JSON reader: client-written bodies of every API type read as protobuf reads them", "[gateway][unit]") {
    const auto types = ApiTypes();
    REQUIRE(types.size() > 100);
    Filler filler(20261208);
    ClientWriter writer(11);
    std::mt19937 rng(5);
    Tally whole;
    Tally mangled;
    for (const auto* type : types) {
        const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(type);
        REQUIRE(prototype != nullptr);
        for (int round = 0; round < 30; ++round) {
            std::unique_ptr<pb::Message> message(prototype->New());
            if (round > 0) filler.Fill(*message, 0);
            if (round % 2 == 0) KeepReadable(*message);
            const std::string json = writer.Write(*message);
            std::unique_ptr<pb::Message> theirs(prototype->New());
            INFO(type->full_name() << ": " << json);
            REQUIRE(ProtobufParses(json, *theirs));  // the writer writes only what protobuf reads
            CheckAgainstProtobuf(*prototype, json, whole);
            std::unique_ptr<pb::Message> fast(prototype->New());
            if (ParseJsonFast(json, *fast)) CHECK(pb::util::MessageDifferencer::Equals(*fast, *message));
            for (int m = 0; m < 6; ++m) CheckAgainstProtobuf(*prototype, Mangle(json, rng), mangled);
        }
    }
    INFO("whole: " << whole.fast << " read, " << whole.returned << " returned; mangled: " << mangled.fast << " read, "
                   << mangled.returned << " returned");
    CHECK(whole.fast > 1000);
    CHECK(mangled.fast > 1000);
    CHECK(mangled.returned > 1000);
}

TEST_CASE("JSON reader: every integer encoding, oneofs, optional fields and what it returns to protobuf",
          "[gateway][unit]") {
    random_messages::Everything everything;
    REQUIRE(everything.type() != nullptr);
    const auto prototype = everything.New();
    Filler filler(8);
    ClientWriter writer(12);
    std::mt19937 rng(6);
    Tally whole;
    Tally mangled;
    for (int round = 0; round < 2000; ++round) {
        auto message = everything.New();
        filler.Fill(*message, 0);
        if (round % 2 == 0) KeepReadable(*message);
        const std::string json = writer.Write(*message);
        CheckAgainstProtobuf(*prototype, json, whole);
        for (int m = 0; m < 4; ++m) CheckAgainstProtobuf(*prototype, Mangle(json, rng), mangled);
    }
    INFO("whole: " << whole.fast << " read; mangled: " << mangled.fast << " read");
    CHECK(whole.fast > 500);  // the rounds without floats, maps, durations, wrappers, timestamps
    CHECK(mangled.fast > 200);

    // Forms at the edges, each either read as protobuf reads it or returned to protobuf.
    Tally edges;
    for (const char* json : {
             R"({"s32":-2147483648,"u32":"4294967295","fx64":"18446744073709551615","sf64":"-9223372036854775808"})",
             R"({"s32":2147483648})",
             R"({"u32":-1})",
             R"({"u64":"18446744073709551616"})",
             R"({"s32":"-0"})",
             R"({"s32":-0})",
             R"({"s32":1.0})",
             R"({"s32":1e2})",
             R"({"s32":"1e2"})",
             R"({"s32":" 7"})",
             R"({"s32":"+7"})",
             R"({"s32":007})",
             R"({"s32":"0x10"})",
             R"({"declaredFirst":"5","declared_first":"5"})",
             R"({"c":"RED"})",
             R"({"c":"red"})",
             R"({"c":1})",
             R"({"c":"NOPE"})",
             R"({"c":null})",
             R"({"inner":{"s":"\u00e9\ud83d\ude00\/\b\f\n\r\t"}})",
             R"({"inner":{"s":"\ud83d"}})",
             R"({"inner":{"s":"\u0000"}})",
             R"({"inner":{"s":"raw	tab"}})",
             R"({"inner":{}})",
             R"({"inner":[]})",
             R"({"cs":"a","ci":{}})",
             R"({"oi":0})",
             R"({"oi":"0"})",
             R"({"rd":[]})",
             R"({"rd":[1.5]})",
             R"({"m1":{"a":1}})",
             R"({"inner":{"s":"x"},})",
             R"({"inner":{"s":"x"}} )",
             R"({"inner":{"s":"x"}}x)",
             R"( {"inner" : { "n" : 3 } } )",
             R"({"unknown":1})",
             R"([])",
             R"("text")",
             R"({"inner":{"n":true}})",
             R"({"inner":{"s":5}})",
             R"({"cs":true})",
             R"({"inner":{"n":[1]}})",
             R"({"bv":"AAE="})",
             R"({"ts":"2027-01-15T09:30:00Z"})",
             R"({"ts":"2027-01-15T09:30:00.5+01:00"})",
             R"({"ts":"2000-02-29T00:00:00Z"})",
             R"({"ts":"1900-02-29T00:00:00Z"})",
             R"({"ts":"2027-04-31T00:00:00Z"})",
             R"({"ts":"2027-1-15T09:30:00Z"})",
             R"({"ts":"2027-01-15t09:30:00z"})",
             R"({"ts":"2027-01-15T09:30:00"})",
             R"({"ts":"0001-01-01T00:00:00+01:00"})",
             R"({"ts":"0001-01-01T00:00:00-01:00"})",
             R"({"ts":"9999-12-31T23:59:59.999999999Z"})",
             R"({"ts":"9999-12-31T23:59:59-00:01"})",
             R"({"ts":"2027-01-15T09:30:00.1234567891Z"})",
             R"({"ts":"2027-01-15T09:30:00.Z"})",
             R"({"ts":"2027-01-15T24:00:00Z"})",
             R"({"ts":"2027-01-15T09:30:60Z"})",
             R"({"ts":"2027-01-15T09:30:00-23:59"})",
             R"({"ts":"2027-01-15T09:30:00+24:00"})",
             R"({"ts":1})",
             R"({"ts":{"seconds":1}})",
             R"({"ct":"1970-01-01T00:00:00Z"})",
         }) {
        CheckAgainstProtobuf(*prototype, json, edges);
    }
    CHECK(edges.fast >= 16);
}

TEST_CASE("JSON reader: the bench's job body is read without protobuf's parser", "[gateway][unit]") {
    const auto* type =
        pb::DescriptorPool::generated_pool()->FindMessageTypeByName("marketplace.jobs.v1.PostJobRequest");
    REQUIRE(type != nullptr);
    const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(type);
    const std::string json =
        R"({"title":"Landing page","description":"Build a SaaS MVP.","stack":["c++","postgresql"],)"
        R"("budget_type":"BUDGET_TYPE_FIXED","budgetMin":{"minor_units":"50000","currency":"EUR"},)"
        R"("budget_max":{"minorUnits":500000,"currency":"EUR"},"template_id":"saas-mvp","nda_required":true})";
    Tally tally;
    CheckAgainstProtobuf(*prototype, json, tally);
    CHECK(tally.fast == 1);
}
