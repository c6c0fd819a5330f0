#pragma once
// A message as JSON by reflection, the way protobuf's util::MessageToJsonString prints it with
// always_print_primitive_fields and preserve_proto_field_names (the proto3 JSON mapping, proto field
// names, fields without presence printed even when they hold their default), without that printer's
// detour through the binary encoding and a type resolver, which took the largest share of the
// gateway's CPU after the socket work.
//
// Fields come in declaration order; a field with presence (a message, a oneof member, an `optional`
// scalar) only when set; repeated fields as [] and maps as {} when empty; 64-bit integers as strings;
// floats and doubles with the shortest of 6/9 (float) or 15/17 (double) significant digits that reads
// back the same, "NaN", "Infinity" and "-Infinity" as strings; enums by name (an unknown number as
// the number); bytes in base64 with padding; Timestamp (RFC 3339, UTC, 0, 3, 6 or 9 fractional
// digits), Duration ("1.5s") and the wrapper types as protobuf prints them.
//
// Messages holding what it does not print itself (Any, Struct, Value, ListValue, FieldMask, Empty, a
// group) and timestamps or durations out of their ranges get nullopt: the caller then uses protobuf's
// printer, which also answers what protobuf answers for those.
#include <optional>
#include <string>

#include <google/protobuf/message.h>

namespace marketplace::gateway {

std::optional<std::string> PrintJson(const google::protobuf::Message& message);

}  // namespace marketplace::gateway
