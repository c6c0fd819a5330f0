#pragma once
// HTTP request -> request message, per the route's rule (google/api/http.proto semantics):
//   body "*"      the JSON body is the whole message; path variables are set on top; no query
//                 parameters are allowed (every field comes from the body);
//   body "<f>"    the JSON body is field f; path variables and query parameters set the rest;
//   no body       path variables and query parameters set the fields; a non-empty body is refused.
// Unknown JSON fields and query parameters are refused. A field bound by the path cannot be
// given again as a query parameter.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/message.h>

#include "routing/path_template.hpp"
#include "routing/route_table.hpp"
#include "transcode/json_checks.hpp"

namespace marketplace::gateway {

struct RequestParts {
    std::vector<PathTemplate::Binding> bindings;  // raw (percent-encoded) path variable values
    std::string_view query;                       // raw query string
    std::string_view body;
    std::string_view content_type;  // the Content-Type header, or empty
};

/// Builds the route's request message. Throws RequestError: 400 (naming the field) for bad JSON,
/// types, unknown fields or parameters, bad path values (malformed escapes, invalid UTF-8, control
/// characters, '/' in a one-segment variable, "." or ".."); 415 for a body that is not JSON.
std::unique_ptr<google::protobuf::Message> BuildRequestMessage(const Route& route, const RequestParts& parts,
                                                               int max_json_depth = kDefaultMaxJsonDepth);

/// Reads a protobuf JSON parse error ("(a.b): invalid value ...", "x: Cannot find field.") as a
/// message for the caller and the field it names (empty when it names none).
std::pair<std::string, std::string> DescribeJsonError(std::string_view parser_message);

}  // namespace marketplace::gateway
