#include "routing/field_path.hpp"

#include <set>
#include <string>

namespace marketplace::gateway {
namespace pb = google::protobuf;

std::vector<const pb::FieldDescriptor*> ResolveFieldPath(const pb::Descriptor* type, std::string_view path) {
    std::vector<const pb::FieldDescriptor*> fields;
    std::size_t start = 0;
    for (;;) {
        if (type == nullptr) return {};
        const auto dot = path.find('.', start);
        const std::string name(
            path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        const pb::FieldDescriptor* field = type->FindFieldByName(name);
        if (field == nullptr) {
            for (int i = 0; i < type->field_count(); ++i) {
                if (type->field(i)->json_name() == name) field = type->field(i);
            }
        }
        if (field == nullptr) return {};
        fields.push_back(field);
        if (dot == std::string_view::npos) return fields;
        if (field->is_repeated() || field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) return {};
        type = field->message_type();
        start = dot + 1;
    }
}

namespace {

bool HoldsDynamicJson(const pb::Descriptor* type, std::set<const pb::Descriptor*>& seen) {
    if (!seen.insert(type).second) return false;
    const std::string& name = type->full_name();
    if (name == "google.protobuf.Value" || name == "google.protobuf.ListValue" || name == "google.protobuf.Struct") {
        return true;
    }
    for (int i = 0; i < type->field_count(); ++i) {
        const auto* field = type->field(i);
        if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
            HoldsDynamicJson(field->message_type(), seen)) {
            return true;
        }
    }
    return false;
}

}  // namespace

bool HoldsDynamicJson(const pb::Descriptor* type) {
    std::set<const pb::Descriptor*> seen;
    return HoldsDynamicJson(type, seen);
}

std::string CanonicalFieldPath(const std::vector<const pb::FieldDescriptor*>& fields) {
    std::string out;
    for (const auto* field : fields) {
        if (!out.empty()) out += '.';
        out += field->name();
    }
    return out;
}

}  // namespace marketplace::gateway
