#pragma once
// Field paths ("budget_min.currency") through a message type, as path variables, query parameters
// and body rules name them.
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace marketplace::gateway {

/// The fields along `path` from `type`, each component by its proto name or its JSON name. Empty when
/// a component names no field, or a component before the last is not a singular message field.
std::vector<const google::protobuf::FieldDescriptor*> ResolveFieldPath(const google::protobuf::Descriptor* type,
                                                                       std::string_view path);

/// True when `type` has, at any depth, a google.protobuf.Value, ListValue or Struct field.
bool HoldsDynamicJson(const google::protobuf::Descriptor* type);

/// The same path in proto names ("budgetMin.currency" -> "budget_min.currency").
std::string CanonicalFieldPath(const std::vector<const google::protobuf::FieldDescriptor*>& fields);

}  // namespace marketplace::gateway
