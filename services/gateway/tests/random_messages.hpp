#pragma once
// Random messages for the gateway's JSON tests: a filler that sets every kind of field with edge
// values (extreme integers, floats that need 9 or 17 digits, NaN and infinities, control characters
// and non-ASCII text, unknown enum numbers, timestamps at the ends of their range), every message type
// of the linked services, and a message built at run time with what the API does not use yet.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>

#include "routing/linked_protos.hpp"

namespace marketplace::gateway::random_messages {
namespace pb = google::protobuf;
using Field = pb::FieldDescriptor;

class Filler {
public:
    explicit Filler(std::uint32_t seed) : rng_(seed) {}

    void Fill(pb::Message& message, int depth) {
        const pb::Descriptor* type = message.GetDescriptor();
        const pb::Reflection* reflection = message.GetReflection();
        if (type->full_name() == "google.protobuf.Timestamp") {
            static const std::vector<std::int64_t> seconds{
                0, 1, -1, 1'700'000'000, -62'135'596'800, 253'402'300'799, 951'782'400 /* 2000-02-29 */};
            reflection->SetInt64(&message, type->field(0), Pick(seconds));
            reflection->SetInt32(&message, type->field(1), Nanos());
            return;
        }
        if (type->full_name() == "google.protobuf.Duration") {
            static const std::vector<std::int64_t> seconds{0, 1, 59, 3'600, 315'576'000'000};
            const auto s = Pick(seconds);
            const auto n = Nanos();
            const bool negative = Chance(0.3);
            reflection->SetInt64(&message, type->field(0), negative ? -s : s);
            reflection->SetInt32(&message, type->field(1), negative ? -n : n);
            return;
        }
        for (int i = 0; i < type->field_count(); ++i) {
            const Field* field = type->field(i);
            if (!Chance(0.7)) continue;
            if (field->cpp_type() == Field::CPPTYPE_MESSAGE && (depth >= 4 || Unprinted(field->message_type()))) {
                continue;
            }
            if (field->is_repeated()) {
                const int n = static_cast<int>(rng_() % 4);
                for (int k = 0; k < n; ++k) Add(message, reflection, field, depth);
            } else {
                Set(message, reflection, field, depth);
            }
        }
    }

private:
    static bool Unprinted(const pb::Descriptor* type) {
        static const std::set<std::string> kOthers{"google.protobuf.Any",       "google.protobuf.Struct",
                                                   "google.protobuf.Value",     "google.protobuf.ListValue",
                                                   "google.protobuf.FieldMask", "google.protobuf.Empty"};
        return kOthers.count(type->full_name()) > 0;
    }

    bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
    template <typename T>
    T Pick(const std::vector<T>& values) {
        return values[rng_() % values.size()];
    }
    std::int32_t Nanos() { return Pick(std::vector<std::int32_t>{0, 1, 999'999'999, 500'000'000, 123'456'000, 7}); }

    std::int64_t Integer() {
        return Pick(std::vector<std::int64_t>{
            0, 1, -1, 42, std::numeric_limits<std::int32_t>::max(), std::numeric_limits<std::int32_t>::min(),
            std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
            static_cast<std::int64_t>(rng_())});
    }
    double Double() {
        return Pick(std::vector<double>{0.0, -0.0, 0.1, 1.0 / 3, 1e20, 1e-7, 123.456, 2.5e-308, 1.7976931348623157e308,
                                        std::nan(""), std::numeric_limits<double>::infinity(),
                                        -std::numeric_limits<double>::infinity(), 9007199254740993.0,
                                        static_cast<double>(rng_()) / 7});
    }
    std::string Text() {
        return Pick(std::vector<std::string>{"", "plain", "quote \" and \\ backslash", "tab\there\nnew line\r\b\f",
                                             std::string("nul \0 inside", 12), "\x01\x1f control", "<b>&amp;</b> 'x'",
                                             "caf\xc3\xa9 \xe2\x80\xa8 \xe2\x80\xa9 \xf0\x9f\x98\x80", "/slash/",
                                             "\x7f del"});
    }
    std::string Bytes() {
        std::string out(rng_() % 8, '\0');
        for (auto& c : out) c = static_cast<char>(rng_());
        return out;
    }
    int Enum(const Field* field) {
        const auto* type = field->enum_type();
        if (Chance(0.1)) return 1000 + static_cast<int>(rng_() % 5);  // a number the enum does not name
        return type->value(static_cast<int>(rng_() % static_cast<unsigned>(type->value_count())))->number();
    }

    void Set(pb::Message& m, const pb::Reflection* r, const Field* f, int depth) {
        switch (f->cpp_type()) {
            case Field::CPPTYPE_INT32:
                r->SetInt32(&m, f, static_cast<std::int32_t>(Integer()));
                break;
            case Field::CPPTYPE_UINT32:
                r->SetUInt32(&m, f, static_cast<std::uint32_t>(Integer()));
                break;
            case Field::CPPTYPE_INT64:
                r->SetInt64(&m, f, Integer());
                break;
            case Field::CPPTYPE_UINT64:
                r->SetUInt64(&m, f, static_cast<std::uint64_t>(Integer()));
                break;
            case Field::CPPTYPE_DOUBLE:
                r->SetDouble(&m, f, Double());
                break;
            case Field::CPPTYPE_FLOAT:
                r->SetFloat(&m, f, static_cast<float>(Double()));
                break;
            case Field::CPPTYPE_BOOL:
                r->SetBool(&m, f, Chance(0.5));
                break;
            case Field::CPPTYPE_ENUM:
                r->SetEnumValue(&m, f, Enum(f));
                break;
            case Field::CPPTYPE_STRING:
                r->SetString(&m, f, f->type() == Field::TYPE_BYTES ? Bytes() : Text());
                break;
            case Field::CPPTYPE_MESSAGE:
                Fill(*r->MutableMessage(&m, f), depth + 1);
                break;
        }
    }

    void Add(pb::Message& m, const pb::Reflection* r, const Field* f, int depth) {
        switch (f->cpp_type()) {
            case Field::CPPTYPE_INT32:
                r->AddInt32(&m, f, static_cast<std::int32_t>(Integer()));
                break;
            case Field::CPPTYPE_UINT32:
                r->AddUInt32(&m, f, static_cast<std::uint32_t>(Integer()));
                break;
            case Field::CPPTYPE_INT64:
                r->AddInt64(&m, f, Integer());
                break;
            case Field::CPPTYPE_UINT64:
                r->AddUInt64(&m, f, static_cast<std::uint64_t>(Integer()));
                break;
            case Field::CPPTYPE_DOUBLE:
                r->AddDouble(&m, f, Double());
                break;
            case Field::CPPTYPE_FLOAT:
                r->AddFloat(&m, f, static_cast<float>(Double()));
                break;
            case Field::CPPTYPE_BOOL:
                r->AddBool(&m, f, Chance(0.5));
                break;
            case Field::CPPTYPE_ENUM:
                r->AddEnumValue(&m, f, Enum(f));
                break;
            case Field::CPPTYPE_STRING:
                r->AddString(&m, f, f->type() == Field::TYPE_BYTES ? Bytes() : Text());
                break;
            case Field::CPPTYPE_MESSAGE:
                Fill(*r->AddMessage(&m, f), depth + 1);
                break;
        }
    }

    std::mt19937 rng_;
};

// Every message type the linked services take, answer or stream, and the types they hold.
inline std::vector<const pb::Descriptor*> ApiTypes() {
    std::set<const pb::Descriptor*> seen;
    std::vector<const pb::Descriptor*> pending;
    for (const auto& package : LinkedProtoPackages()) {
        for (const auto* service : ServicesOf(package)) {
            for (int i = 0; i < service->method_count(); ++i) {
                pending.push_back(service->method(i)->input_type());
                pending.push_back(service->method(i)->output_type());
            }
        }
    }
    std::vector<const pb::Descriptor*> out;
    while (!pending.empty()) {
        const auto* type = pending.back();
        pending.pop_back();
        if (!seen.insert(type).second) continue;
        out.push_back(type);
        for (int i = 0; i < type->field_count(); ++i) {
            if (type->field(i)->message_type() != nullptr) pending.push_back(type->field(i)->message_type());
        }
    }
    return out;
}

// A proto3 message with what the API's messages do not use yet (floating point, every integer
// encoding, maps of each key kind, durations, more wrappers, a oneof and `optional` fields, a field
// declared before lower-numbered ones), built at run time.
inline constexpr char kEverything[] = R"pb(
    name: "jsontest/everything.proto"
    package: "jsontest"
    syntax: "proto3"
    dependency: [
      "google/protobuf/timestamp.proto",
      "google/protobuf/duration.proto",
      "google/protobuf/wrappers.proto"
    ]
    enum_type {
      name: "Color"
      value { name: "COLOR_UNSPECIFIED" number: 0 }
      value { name: "RED" number: 1 }
    }
    message_type {
      name: "Inner"
      field { name: "s" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL }
      field { name: "n" number: 2 type: TYPE_INT32 label: LABEL_OPTIONAL }
    }
    message_type {
      name: "Everything"
      field { name: "declared_first" number: 40 type: TYPE_SINT64 label: LABEL_OPTIONAL }
      field { name: "ts" number: 28 type: TYPE_MESSAGE type_name: ".google.protobuf.Timestamp" label: LABEL_OPTIONAL }
      field { name: "d" number: 1 type: TYPE_DOUBLE label: LABEL_OPTIONAL }
      field { name: "f" number: 2 type: TYPE_FLOAT label: LABEL_OPTIONAL }
      field { name: "u32" number: 3 type: TYPE_UINT32 label: LABEL_OPTIONAL }
      field { name: "u64" number: 4 type: TYPE_UINT64 label: LABEL_OPTIONAL }
      field { name: "s32" number: 5 type: TYPE_SINT32 label: LABEL_OPTIONAL }
      field { name: "fx32" number: 6 type: TYPE_FIXED32 label: LABEL_OPTIONAL }
      field { name: "fx64" number: 7 type: TYPE_FIXED64 label: LABEL_OPTIONAL }
      field { name: "sf32" number: 8 type: TYPE_SFIXED32 label: LABEL_OPTIONAL }
      field { name: "sf64" number: 9 type: TYPE_SFIXED64 label: LABEL_OPTIONAL }
      field { name: "c" number: 10 type: TYPE_ENUM type_name: ".jsontest.Color" label: LABEL_OPTIONAL }
      field { name: "inner" number: 11 type: TYPE_MESSAGE type_name: ".jsontest.Inner" label: LABEL_OPTIONAL }
      field { name: "rd" number: 12 type: TYPE_DOUBLE label: LABEL_REPEATED }
      field { name: "rf" number: 13 type: TYPE_FLOAT label: LABEL_REPEATED }
      field { name: "m1" number: 14 type: TYPE_MESSAGE type_name: ".jsontest.Everything.M1Entry" label: LABEL_REPEATED }
      field { name: "m2" number: 15 type: TYPE_MESSAGE type_name: ".jsontest.Everything.M2Entry" label: LABEL_REPEATED }
      field { name: "m3" number: 16 type: TYPE_MESSAGE type_name: ".jsontest.Everything.M3Entry" label: LABEL_REPEATED }
      field { name: "m4" number: 17 type: TYPE_MESSAGE type_name: ".jsontest.Everything.M4Entry" label: LABEL_REPEATED }
      field { name: "du" number: 18 type: TYPE_MESSAGE type_name: ".google.protobuf.Duration" label: LABEL_OPTIONAL }
      field { name: "rdu" number: 19 type: TYPE_MESSAGE type_name: ".google.protobuf.Duration" label: LABEL_REPEATED }
      field { name: "dv" number: 20 type: TYPE_MESSAGE type_name: ".google.protobuf.DoubleValue" label: LABEL_OPTIONAL }
      field { name: "fv" number: 21 type: TYPE_MESSAGE type_name: ".google.protobuf.FloatValue" label: LABEL_OPTIONAL }
      field {
        name: "u64v"
        number: 22
        type: TYPE_MESSAGE
        type_name: ".google.protobuf.UInt64Value"
        label: LABEL_OPTIONAL
      }
      field { name: "bv" number: 23 type: TYPE_MESSAGE type_name: ".google.protobuf.BytesValue" label: LABEL_OPTIONAL }
      field { name: "cs" number: 24 type: TYPE_STRING label: LABEL_OPTIONAL oneof_index: 0 }
      field {
        name: "ci"
        number: 25
        type: TYPE_MESSAGE
        type_name: ".jsontest.Inner"
        label: LABEL_OPTIONAL
        oneof_index: 0
      }
      field {
        name: "ct"
        number: 26
        type: TYPE_MESSAGE
        type_name: ".google.protobuf.Timestamp"
        label: LABEL_OPTIONAL
        oneof_index: 0
      }
      field { name: "oi" number: 27 type: TYPE_INT32 label: LABEL_OPTIONAL oneof_index: 1 proto3_optional: true }
      nested_type {
        name: "M1Entry"
        options { map_entry: true }
        field { name: "key" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL }
        field { name: "value" number: 2 type: TYPE_INT32 label: LABEL_OPTIONAL }
      }
      nested_type {
        name: "M2Entry"
        options { map_entry: true }
        field { name: "key" number: 1 type: TYPE_INT64 label: LABEL_OPTIONAL }
        field { name: "value" number: 2 type: TYPE_MESSAGE type_name: ".jsontest.Inner" label: LABEL_OPTIONAL }
      }
      nested_type {
        name: "M3Entry"
        options { map_entry: true }
        field { name: "key" number: 1 type: TYPE_BOOL label: LABEL_OPTIONAL }
        field { name: "value" number: 2 type: TYPE_STRING label: LABEL_OPTIONAL }
      }
      nested_type {
        name: "M4Entry"
        options { map_entry: true }
        field { name: "key" number: 1 type: TYPE_UINT32 label: LABEL_OPTIONAL }
        field { name: "value" number: 2 type: TYPE_DOUBLE label: LABEL_OPTIONAL }
      }
      oneof_decl { name: "choice" }
      oneof_decl { name: "_oi" }
    }
)pb";

/// kEverything's "Everything", built into a pool of its own over the generated one.
class Everything {
public:
    Everything() : pool_(pb::DescriptorPool::generated_pool()), factory_(&pool_) {
        pb::FileDescriptorProto file;
        if (!pb::TextFormat::ParseFromString(kEverything, &file)) throw std::logic_error("kEverything does not parse");
        const pb::FileDescriptor* built = pool_.BuildFile(file);
        if (built == nullptr) throw std::logic_error("kEverything does not build");
        type_ = built->FindMessageTypeByName("Everything");
        factory_.SetDelegateToGeneratedFactory(true);
    }
    const pb::Descriptor* type() const { return type_; }
    std::unique_ptr<pb::Message> New() { return std::unique_ptr<pb::Message>(factory_.GetPrototype(type_)->New()); }

private:
    pb::DescriptorPool pool_;
    pb::DynamicMessageFactory factory_;
    const pb::Descriptor* type_ = nullptr;
};

}  // namespace marketplace::gateway::random_messages
