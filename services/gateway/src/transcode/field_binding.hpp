#pragma once
// Setting one request field from text: a path variable's or a query parameter's value.
#include <string_view>

#include <google/protobuf/message.h>

namespace marketplace::gateway {

/// Sets the field `path` ("page_size", "budget_min.currency"; proto or JSON names) of `message`
/// from `value` the way the proto3 JSON mapping reads that field's type: numbers in decimal (int64
/// range-checked), bools as true/false, enums by name or number, bytes as base64, Timestamp /
/// Duration / FieldMask / wrappers in their JSON string forms. A repeated field gets `value`
/// appended; a singular one is replaced. Throws RequestError (400, field = `path`) when the path
/// names no field, goes through a repeated field, ends at a map or a non-well-known message, or
/// the value does not fit the type.
void BindField(google::protobuf::Message& message, std::string_view path, std::string_view value);

}  // namespace marketplace::gateway
