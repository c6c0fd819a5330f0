#pragma once
// Request bodies read by reflection: the JSON a client sends, straight into the request message.
// protobuf's util::JsonStringToMessage, which the gateway used for every body, turns the JSON into
// events for an object writer that builds the binary encoding through a type resolver, then parses
// that: several times the work of the message itself. ParseJsonFast reads what clients send
// (objects, strings, integers, booleans, enums by name, timestamps, nested messages and lists of them) and
// hands everything else back to protobuf's parser, whose answer and error messages stand:
//
//   if (!ParseJsonFast(body, message)) { message.Clear(); /* protobuf's parser */ }
//
// It never accepts a body that protobuf's parser (unknown fields refused) would refuse, and what it
// accepts it reads into the same message; services/gateway/tests/json_parser_test.cpp checks both
// against protobuf's parser.
#include <string_view>

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace marketplace::gateway {

/// Reads `json` (a JSON object) into `message`. Returns false, leaving `message` partly written,
/// when the body holds anything outside the forms it reads: then the caller clears the message
/// and asks protobuf's parser. Those forms:
/// - field names as in the proto (`budget_min`) or their JSON names (`budgetMin`), each at most once
///   per object, no two members of one oneof, no `null`;
/// - strings (with every JSON escape; not for `bytes` fields), integers of every integer type as a
///   JSON number or a quoted one (`"50000"`, no sign `+`, no leading zeros, no fraction or exponent,
///   within the type's range), `true` and `false`, enum values by their names;
/// - Timestamps as RFC 3339 in the widths protobuf's printer writes ("2027-01-15T09:30:00Z", 1 to 9
///   digits of fraction, "Z" or an offset "+01:00");
/// - nested messages and lists of any of these, except the other well-known types (Duration,
///   wrappers, Struct, Any, FieldMask, Empty), maps, and floating point, which protobuf's parser reads.
bool ParseJsonFast(std::string_view json, google::protobuf::Message& message);

}  // namespace marketplace::gateway
