#include "transcode/field_binding.hpp"

#include <memory>
#include <string>

#include <google/protobuf/util/json_util.h>

#include "http/request_error.hpp"
#include "marketplace/core/log.hpp"
#include "routing/field_path.hpp"

namespace marketplace::gateway {
namespace pb = google::protobuf;

namespace {

// Well-known types whose JSON form is a string (or, for the wrappers, the wrapped scalar).
bool IsStringLikeWellKnown(const pb::Descriptor* type) {
    const std::string& name = type->full_name();
    return name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration" ||
           name == "google.protobuf.FieldMask" || name == "google.protobuf.StringValue" ||
           name == "google.protobuf.BytesValue" || name == "google.protobuf.Int32Value" ||
           name == "google.protobuf.Int64Value" || name == "google.protobuf.UInt32Value" ||
           name == "google.protobuf.UInt64Value" || name == "google.protobuf.FloatValue" ||
           name == "google.protobuf.DoubleValue";
}

std::string Quoted(std::string_view value) {
    std::string out = "\"";
    core::log::AppendJsonEscaped(out, value);
    out += '"';
    return out;
}

std::string Shown(std::string_view value) {
    constexpr std::size_t kMax = 64;
    return value.size() <= kMax ? std::string(value) : std::string(value.substr(0, kMax)) + "...";
}

std::string TypeName(const pb::FieldDescriptor* field) {
    if (field->type() == pb::FieldDescriptor::TYPE_ENUM) return field->enum_type()->full_name();
    if (field->type() == pb::FieldDescriptor::TYPE_MESSAGE) return field->message_type()->full_name();
    return field->type_name();
}

// The JSON literal for `value` as the proto3 JSON mapping reads `field`.
std::string JsonLiteral(const pb::FieldDescriptor* field, std::string_view value, const std::string& path) {
    const bool is_bool = field->type() == pb::FieldDescriptor::TYPE_BOOL ||
                         (field->type() == pb::FieldDescriptor::TYPE_MESSAGE &&
                          field->message_type()->full_name() == "google.protobuf.BoolValue");
    if (is_bool) {
        if (value == "true" || value == "false") return std::string(value);
        throw RequestError::InvalidArgument(path, path + ": must be true or false, got '" + Shown(value) + "'");
    }
    if (field->type() == pb::FieldDescriptor::TYPE_ENUM && !value.empty() &&
        value.find_first_not_of("-0123456789") == std::string_view::npos) {
        return std::string(value);  // an enum by number
    }
    return Quoted(value);
}

}  // namespace

void BindField(pb::Message& message, std::string_view path, std::string_view value) {
    const auto fields = ResolveFieldPath(message.GetDescriptor(), path);
    const std::string shown_path(path);
    if (fields.empty()) {
        throw RequestError::InvalidArgument(shown_path, "'" + shown_path + "' names no field of this request");
    }
    const pb::FieldDescriptor* leaf = fields.back();
    if (leaf->is_map()) {
        throw RequestError::InvalidArgument(shown_path, shown_path + ": a map cannot be set from a parameter");
    }
    if (leaf->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !IsStringLikeWellKnown(leaf->message_type()) &&
        leaf->message_type()->full_name() != "google.protobuf.BoolValue") {
        throw RequestError::InvalidArgument(
            shown_path, shown_path + ": is a message; set its fields as " + shown_path + ".<field>=<value>");
    }
    // Walk to the message holding the leaf.
    pb::Message* target = &message;
    for (std::size_t i = 0; i + 1 < fields.size(); ++i) {
        target = target->GetReflection()->MutableMessage(target, fields[i]);
    }
    // Parse {"<leaf>": <value>} into a fresh message of the holder's type: the protobuf JSON parser
    // does the type's checks (ranges, enum names, base64, timestamps) exactly as for a body.
    std::unique_ptr<pb::Message> scratch(target->New());
    const std::string json = "{" + Quoted(leaf->name()) + ":" + JsonLiteral(leaf, value, shown_path) + "}";
    const auto status = pb::util::JsonStringToMessage(json, scratch.get(), pb::util::JsonParseOptions());
    if (!status.ok()) {
        throw RequestError::InvalidArgument(shown_path,
                                            shown_path + ": '" + Shown(value) + "' is not a valid " + TypeName(leaf));
    }
    if (!leaf->is_repeated()) target->GetReflection()->ClearField(target, leaf);
    target->MergeFrom(*scratch);
}

}  // namespace marketplace::gateway
