#include "transcode/request_builder.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include <google/protobuf/util/json_util.h>
#include <boost/beast/core/string.hpp>

#include "http/request_error.hpp"
#include "http/url.hpp"
#include "http/utf8.hpp"
#include "routing/field_path.hpp"
#include "transcode/field_binding.hpp"
#include "transcode/json_parser.hpp"

namespace marketplace::gateway {
namespace pb = google::protobuf;

namespace {

bool IsJsonContentType(std::string_view content_type) {
    if (content_type.empty()) return true;  // curl -d without -H: treat as JSON
    const auto semicolon = content_type.find(';');
    std::string_view media = content_type.substr(0, semicolon);
    while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
    return boost::beast::iequals(media, "application/json");
}

std::string DecodePathValue(const PathTemplate::Binding& binding, bool multi_segment) {
    const std::string& field = binding.field_path;
    std::string value;
    if (!PercentDecode(binding.raw_value, value)) {
        throw RequestError::InvalidArgument(field, field + ": malformed percent-encoding in the path");
    }
    if (!IsValidUtf8(value)) throw RequestError::InvalidArgument(field, field + ": is not valid UTF-8");
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) throw RequestError::InvalidArgument(field, field + ": holds a control character");
        if (c == '/' && !multi_segment) {
            throw RequestError::InvalidArgument(field, field + ": must not contain '/'");
        }
    }
    // No segment of the value may be a relative step ("..", "."), however it was encoded.
    std::size_t start = 0;
    for (;;) {
        const auto slash = value.find('/', start);
        const auto part =
            std::string_view(value).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part == "." || part == "..") {
            throw RequestError::InvalidArgument(field, field + ": must not contain '.' or '..' segments");
        }
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return value;
}

bool IsMultiSegment(const Route& route, const std::string& field_path) {
    for (const auto& variable : route.path.variables()) {
        if (variable.field_path != field_path) continue;
        if (variable.last - variable.first != 1) return true;
        return route.path.segments()[variable.first].kind == PathTemplate::SegmentKind::kMulti;
    }
    return false;
}

void ParseJson(std::string_view json, pb::Message& message) {
    if (ParseJsonFast(json, message)) return;
    message.Clear();  // what the fast reader left; protobuf's parser reads it, and words any error
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto status = pb::util::JsonStringToMessage(json, &message, options);
    if (!status.ok()) {
        auto [text, field] = DescribeJsonError(std::string_view(status.message().data(), status.message().size()));
        throw RequestError::InvalidArgument(std::move(field), std::move(text));
    }
}

}  // namespace

namespace {

bool IsFieldPath(std::string_view s) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '[' || c == ']';
    });
}

std::string Join(const std::string& a, std::string_view b) {
    if (a.empty()) return std::string(b);
    if (b.empty()) return a;
    return a + "." + std::string(b);
}

// "invalid value 9223372036854775808 for type TYPE_INT64" -> "... for type int64"
std::string CleanTypeNames(std::string text) {
    const auto at = text.rfind(" for type ");
    if (at == std::string::npos) return text;
    std::string type = text.substr(at + 10);
    if (type.rfind("TYPE_", 0) == 0) {
        type = type.substr(5);
        for (auto& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    const auto slash = type.rfind('/');
    if (slash != std::string::npos) type = type.substr(slash + 1);
    return text.substr(0, at) + " for type " + type;
}

}  // namespace

std::pair<std::string, std::string> DescribeJsonError(std::string_view parser_message) {
    std::string_view m = parser_message.substr(0, parser_message.find('\n'));
    if (m.find("Root element must be a message") != std::string_view::npos) {
        return {"the JSON body must be an object", ""};
    }
    // The parser's forms: "(a.b[1]): <text>", "(a.b) name: <text>", "name: <text>", ": <text>".
    std::string_view rest = m;
    std::string field;
    if (!rest.empty() && rest.front() == '(') {
        const auto close = rest.find(')');
        if (close == std::string_view::npos) return {"malformed JSON: " + std::string(m), ""};
        field = std::string(rest.substr(1, close - 1));
        rest.remove_prefix(close + 1);
        if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    }
    std::string text;
    const auto colon = rest.find(": ");
    if (colon != std::string_view::npos && (colon == 0 || IsFieldPath(rest.substr(0, colon)))) {
        field = Join(field, rest.substr(0, colon));
        text = std::string(rest.substr(colon + 2));
    } else if (field.empty()) {
        return {"malformed JSON: " + std::string(m), ""};
    } else {
        text = std::string(rest);
    }
    // An object where a scalar belongs names the scalar at the end.
    constexpr std::string_view kObjectOnScalar = "Starting an object on a scalar field for type ";
    if (const auto at = text.find(kObjectOnScalar); at != std::string::npos) {
        const std::string leaf = text.substr(at + kObjectOnScalar.size());
        const auto last_dot = field.rfind('.');
        const std::string last = field.substr(last_dot == std::string::npos ? 0 : last_dot + 1);
        if (last.substr(0, last.find('[')) != leaf) field = Join(field, leaf);
        text = "expected a value, got an object";
    } else if (text == "Cannot find field.") {
        text = "unknown field";
    } else if (text.find("Proto field is not repeating, cannot start list") != std::string::npos) {
        text = "expected a single value, got a list";
    } else {
        text = CleanTypeNames(std::move(text));
    }
    if (field.empty()) return {"malformed JSON: " + text, ""};
    return {field + ": " + text, field};
}

std::unique_ptr<pb::Message> BuildRequestMessage(const Route& route, const RequestParts& parts, int max_json_depth) {
    const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(route.method->input_type());
    std::unique_ptr<pb::Message> message(prototype->New());

    // 1. The body.
    if (route.body.empty()) {
        if (!IsBlank(parts.body)) {
            throw RequestError::InvalidArgument("",
                                                route.http_method + " " + route.path.text() + " takes no request body");
        }
    } else if (!IsBlank(parts.body)) {
        if (!IsJsonContentType(parts.content_type)) {
            throw RequestError(bhttp::status::unsupported_media_type, "UNSUPPORTED_MEDIA_TYPE",
                               "the request body must be application/json");
        }
        CheckJsonBody(parts.body, max_json_depth, route.dynamic_json);
        if (route.body == "*") {
            ParseJson(parts.body, *message);
        } else {
            std::string wrapped = "{\"" + route.body + "\":";
            wrapped.append(parts.body);
            wrapped += '}';
            ParseJson(wrapped, *message);  // the parser's field paths then start at the body field
        }
    }

    // 2. Path variables, over whatever the body said.
    std::set<std::string> bound;
    for (const auto& binding : parts.bindings) {
        const std::string value = DecodePathValue(binding, IsMultiSegment(route, binding.field_path));
        BindField(*message, binding.field_path, value);
        bound.insert(binding.field_path);
    }

    // 3. Query parameters.
    if (!parts.query.empty()) {
        const auto params = ParseQuery(parts.query);
        if (!params.empty() && route.body == "*") {
            throw RequestError::InvalidArgument(params.front().first,
                                                "this route reads every field from the JSON body; query parameter '" +
                                                    params.front().first + "' is not allowed");
        }
        std::set<std::string> singular_seen;
        for (const auto& [name, value] : params) {
            const auto fields = ResolveFieldPath(route.method->input_type(), name);
            if (fields.empty()) {
                throw RequestError::InvalidArgument(name, "unknown query parameter '" + name + "'");
            }
            const std::string canonical = CanonicalFieldPath(fields);
            if (bound.count(canonical) > 0) {
                throw RequestError::InvalidArgument(name, name + ": is set by the path");
            }
            if (!route.body.empty() && fields.front()->name() == route.body) {
                throw RequestError::InvalidArgument(name, name + ": is set by the request body");
            }
            if (!fields.back()->is_repeated() && !singular_seen.insert(canonical).second) {
                throw RequestError::InvalidArgument(name, name + ": given more than once");
            }
            BindField(*message, name, value);
        }
    }
    return message;
}

}  // namespace marketplace::gateway
