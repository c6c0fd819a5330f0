#include "openapi/openapi.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <google/protobuf/descriptor.h>

#include <nlohmann/json.hpp>

#include "marketplace/common/v1/options.pb.h"

namespace marketplace::gateway {
using nlohmann::json;

namespace {

constexpr char kDefinitionsPrefix[] = "#/definitions/";
// Set on an operation whose method reads an Idempotency-Key, until ConvertOperation reads it:
// "required" (requires_idempotency_key) or "accepted" (accepts_idempotency_key).
constexpr char kKeyMarker[] = "x-marketplace-idempotency-key";

void RewriteRefs(json& node, const std::map<std::string, std::string>& renames) {
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (it.key() == "$ref" && it->is_string()) {
                const std::string ref = it->get<std::string>();
                if (ref.rfind(kDefinitionsPrefix, 0) == 0) {
                    const auto found = renames.find(ref.substr(sizeof(kDefinitionsPrefix) - 1));
                    if (found != renames.end()) *it = kDefinitionsPrefix + found->second;
                }
            } else {
                RewriteRefs(*it, renames);
            }
        }
    } else if (node.is_array()) {
        for (auto& item : node) RewriteRefs(item, renames);
    }
}

/// A required header of 1..max printable ASCII characters (what the gateway checks before forwarding),
/// without the leading or trailing space HTTP would strip.
json PrintableHeader(const std::string& name, int max, const std::string& description) {
    json header = {{"name", name},
                   {"in", "header"},
                   {"required", true},
                   {"type", "string"},
                   {"minLength", 1},
                   {"maxLength", max},
                   {"pattern", "^[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?$"}};
    if (!description.empty()) header["description"] = description;
    return header;
}

json GatewayPaths(const std::string& webhook_signature_header) {
    json paths;
    paths["/healthz"]["get"] = {{"summary", "The gateway process is up."},
                                {"operationId", "Healthz"},
                                {"tags", {"Gateway"}},
                                {"security", json::array()},
                                {"responses", {{"200", {{"description", "Up."}}}}}};
    paths["/readyz"]["get"] = {
        {"summary", "Ready when every service the gateway routes to answers its gRPC health check."},
        {"operationId", "Readyz"},
        {"tags", {"Gateway"}},
        {"security", json::array()},
        {"responses", {{"200", {{"description", "Ready."}}}, {"503", {{"description", "Not ready."}}}}}};
    if (!webhook_signature_header.empty()) {
        paths["/webhooks/payments/{provider}"]["post"] = {
            {"summary", "A payment provider's notification, passed to payments byte for byte with its signature."},
            {"operationId", "HandlePaymentsWebhook"},
            {"tags", {"PaymentsService"}},
            {"security", json::array()},
            {"consumes", {"application/json"}},
            {"parameters",
             {{{"name", "provider"},
               {"in", "path"},
               {"required", true},
               {"type", "string"},
               {"description", "The payment provider that sends the notification, for example 'sandbox'."}},
              PrintableHeader(webhook_signature_header, 1024, "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>"),
              {{"name", "body"},
               {"in", "body"},
               {"required", true},
               {"description", "The provider's notification, as the provider sent it."},
               {"schema", {{"type", "object"}}}}}},
            {"responses", {{"200", {{"description", "Handled."}}}}}};
    }
    return paths;
}

// --- What the protos declare about request fields ----------------------------------------------------
// The field options of proto/marketplace/common/v1/options.proto become JSON Schema keywords of the
// field's property (a body) or parameter (a query or path), so the document says what the services
// check: a schema-valid request is not refused for its form.

// An email address as auth's accounts take it (services/auth, NormalizeEmail): atext characters
// and single dots before the "@", labels of letters, digits and inner hyphens after it. Narrower
// than those rules where a regular expression cannot count (a local part of at most 64 characters).
constexpr char kEmailPattern[] =
    "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){0,2}@"
    "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?){1,3}$";

/// A regular expression for the decimal numbers 0..max (no sign, no leading zero).
std::string DecimalAtMost(const std::string& max) {
    const auto n = max.size();
    std::vector<std::string> options = {"0"};
    if (n > 1) options.push_back(n > 2 ? "[1-9][0-9]{0," + std::to_string(n - 2) + "}" : "[1-9]");
    for (std::size_t i = 0; i < n; ++i) {
        const char digit = max[i];
        const char low = i == 0 ? '1' : '0';
        if (digit <= low) continue;
        std::string option =
            max.substr(0, i) + "[" + std::string(1, low) + "-" + std::string(1, static_cast<char>(digit - 1)) + "]";
        if (i + 1 < n) option += "[0-9]{" + std::to_string(n - i - 1) + "}";
        options.push_back(option);
    }
    options.push_back(max);
    std::string pattern;
    for (const auto& option : options) pattern += (pattern.empty() ? "" : "|") + option;
    return pattern;
}

/// 64-bit integers travel as JSON strings (proto3's JSON mapping): their decimal forms in range.
const std::string& Int64Pattern() {
    static const std::string pattern = "^-?(" + DecimalAtMost("9223372036854775807") + ")$";
    return pattern;
}
const std::string& Uint64Pattern() {
    static const std::string pattern = "^(" + DecimalAtMost("18446744073709551615") + ")$";
    return pattern;
}

/// The keywords `field`'s options give its schema (a Swagger 2.0 property or non-body parameter,
/// whose type, format and bounds sit at its top level). Returns whether the field is required.
bool ApplyFieldOptions(json& schema, const google::protobuf::FieldDescriptor& field) {
    namespace options = common::v1;
    using google::protobuf::FieldDescriptor;
    const auto& o = field.options();
    const bool required = o.GetExtension(options::required);
    const bool repeated = field.is_repeated();
    json& value = repeated && schema.contains("items") ? schema["items"] : schema;
    if (field.cpp_type() == FieldDescriptor::CPPTYPE_STRING && field.type() == FieldDescriptor::TYPE_STRING) {
        if (o.GetExtension(options::uuid)) value["format"] = "uuid";
        if (o.GetExtension(options::email)) {
            value["format"] = "email";
            value["maxLength"] = 254;
            value["pattern"] = kEmailPattern;
        }
        if (o.HasExtension(options::min_length)) value["minLength"] = o.GetExtension(options::min_length);
        if (o.HasExtension(options::max_length)) value["maxLength"] = o.GetExtension(options::max_length);
        if (o.HasExtension(options::pattern)) value["pattern"] = o.GetExtension(options::pattern);
        if (required && !repeated && value.value("minLength", 0) < 1) value["minLength"] = 1;
    }
    if (field.cpp_type() == FieldDescriptor::CPPTYPE_INT32 || field.cpp_type() == FieldDescriptor::CPPTYPE_UINT32) {
        if (o.HasExtension(options::minimum)) value["minimum"] = o.GetExtension(options::minimum);
        if (o.HasExtension(options::maximum)) value["maximum"] = o.GetExtension(options::maximum);
    }
    if (required && field.cpp_type() == FieldDescriptor::CPPTYPE_ENUM && !repeated) {
        // An enum at its zero value is "not given": the property lists the other values only.
        json names = json::array();
        const auto* type = field.enum_type();
        for (int i = 0; i < type->value_count(); ++i) {
            if (type->value(i)->number() != 0) names.push_back(type->value(i)->name());
        }
        value.erase("$ref");
        value.erase("default");
        value["type"] = "string";
        value["enum"] = std::move(names);
    }
    if (required && repeated) schema["minItems"] = 1;
    return required;
}

/// The definition a schema refers to ("v1RegisterRequest" for {"$ref": "#/definitions/v1RegisterRequest"}).
std::string DefinitionName(const json& schema) {
    const json& target = schema.contains("items") ? schema["items"] : schema;
    if (!target.is_object() || !target.contains("$ref") || !target["$ref"].is_string()) return {};
    const std::string ref = target["$ref"].get<std::string>();
    if (ref.rfind(kDefinitionsPrefix, 0) != 0) return {};
    return ref.substr(sizeof(kDefinitionsPrefix) - 1);
}

/// Applies the field options of `message` to its definition, and of its message fields to theirs.
void AnnotateDefinition(json& definitions, const std::string& name, const google::protobuf::Descriptor& message,
                        std::set<std::string>& done) {
    if (name.empty() || !definitions.contains(name) || !done.insert(name).second) return;
    auto& definition = definitions[name];
    if (!definition.contains("properties")) return;
    // A request message takes its own fields only: the gateway refuses a member that names none.
    if (!definition.contains("additionalProperties")) definition["additionalProperties"] = false;
    for (int i = 0; i < message.field_count(); ++i) {
        const auto& field = *message.field(i);
        auto& properties = definition["properties"];
        const std::string key = properties.contains(field.name()) ? field.name() : field.json_name();
        if (!properties.contains(key)) continue;
        auto& property = properties[key];
        if (field.message_type() != nullptr) {
            AnnotateDefinition(definitions, DefinitionName(property), *field.message_type(), done);
        }
        if (ApplyFieldOptions(property, field)) {
            auto& required = definition["required"];
            if (std::find(required.begin(), required.end(), key) == required.end()) required.push_back(key);
        } else if (field.message_type() == nullptr) {
            // proto3's JSON mapping reads null as a scalar's default. (A null message is an absent one,
            // which some services refuse where the document cannot say so: not marked.)
            property["nullable"] = true;
        }
    }
}

/// The field a query or path parameter names ("budget_min.minor_units"), or null.
const google::protobuf::FieldDescriptor* FieldAt(const google::protobuf::Descriptor& message, const std::string& path) {
    const auto* type = &message;
    const google::protobuf::FieldDescriptor* field = nullptr;
    std::size_t start = 0;
    while (type != nullptr) {
        const auto dot = path.find('.', start);
        field = type->FindFieldByName(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (field == nullptr || dot == std::string::npos) return field;
        type = field->message_type();
        start = dot + 1;
    }
    return nullptr;
}

/// Applies the field options of a route's request to its operation: its path and query parameters,
/// and the definitions its body refers to.
void AnnotateOperation(json& operation, json& definitions, const Route& route, std::set<std::string>& done) {
    const auto& input = *route.method->input_type();
    if (!operation.contains("parameters")) return;
    for (auto& parameter : operation["parameters"]) {
        const std::string in = parameter.value("in", "");
        if (in == "body") {
            const google::protobuf::Descriptor* body = &input;
            if (route.body != "*") {
                const auto* field = input.FindFieldByName(route.body);
                body = field == nullptr ? nullptr : field->message_type();
            }
            const std::string name = DefinitionName(parameter.value("schema", json()));
            if (body != nullptr) AnnotateDefinition(definitions, name, *body, done);
            // The gateway reads a missing body as {}: the body is required only when a field of it is.
            parameter["required"] =
                definitions.contains(name) && !definitions[name].value("required", json::array()).empty();
        } else if (in == "query" || in == "path") {
            const auto* field = FieldAt(input, parameter.value("name", ""));
            if (field == nullptr) continue;
            if (ApplyFieldOptions(parameter, *field) && in == "query") parameter["required"] = true;
            // A query parameter takes an enum by name or by number (as the JSON mapping does).
            json& value = parameter.contains("items") ? parameter["items"] : parameter;
            if (field->enum_type() != nullptr && value.contains("enum")) {
                const auto* type = field->enum_type();
                for (int i = 0; i < type->value_count(); ++i) {
                    const auto number = std::to_string(type->value(i)->number());
                    const auto& listed = value["enum"];
                    if (std::find(listed.begin(), listed.end(), number) == listed.end())
                        value["enum"].push_back(number);
                }
            }
        }
    }
}

// A server-streaming route is a WebSocket (ws/websocket_bridge.hpp): say so where OpenAPI can.
void DescribeWebSocket(json& paths, const Route& route) {
    const std::string path = route.path.OpenApiPath();
    if (!paths.contains(path) || !paths[path].contains("get")) return;
    auto& operation = paths[path]["get"];
    operation["x-websocket"] = true;
    operation["description"] =
        "A WebSocket (GET with Upgrade: websocket): each streamed message is one JSON text frame. The token "
        "goes in the Authorization header or, from a browser, as the subprotocol list 'bearer, <token>'. A "
        "failed stream ends with an error frame {code, message, field} and close code 4000 + the HTTP status "
        "the error maps to; an ended stream closes with 1000.";
    operation["parameters"].push_back({{"name", "Sec-WebSocket-Protocol"},
                                       {"in", "header"},
                                       {"required", false},
                                       {"type", "string"},
                                       {"description", "bearer, <access token> (browsers, which cannot set headers)"}});
    auto& responses = operation["responses"];
    responses["101"] = {{"description", "Switching to the WebSocket protocol."}};
    if (responses.contains("200")) {
        responses["101"]["schema"] = responses["200"]["schema"];
        responses.erase("200");
    }
    responses["426"] = {{"description", "Not a WebSocket opening handshake."}};
}

// --- Swagger 2.0 -> OpenAPI 3.0 ---------------------------------------------------------------------
// protoc-gen-swagger writes Swagger 2.0; clients, fuzzers and linters want OpenAPI 3, where a
// description beside a $ref is ignored. The conversion below is mechanical and total for what the
// generator emits (body/path/query parameters, JSON responses, object/array/enum schemas).

constexpr char kSchemasPrefix[] = "#/components/schemas/";

/// Definitions' $refs point at components; a $ref with siblings (the field's description from its
/// proto comment) becomes allOf[$ref] so the siblings count. Swagger's "title" (a comment without a
/// final period) becomes the description.
void ConvertSchema(json& node) {
    if (node.is_array()) {
        for (auto& item : node) ConvertSchema(item);
        return;
    }
    if (!node.is_object()) return;
    if (node.contains("$ref") && node["$ref"].is_string()) {
        std::string ref = node["$ref"].get<std::string>();
        if (ref.rfind(kDefinitionsPrefix, 0) == 0) ref = kSchemasPrefix + ref.substr(sizeof(kDefinitionsPrefix) - 1);
        node["$ref"] = ref;
        if (node.size() > 1) {
            json wrapped = node;
            wrapped.erase("$ref");
            wrapped["allOf"] = json::array({{{"$ref", ref}}});
            node = std::move(wrapped);
        }
    }
    if (node.value("type", "") == "string" && !node.contains("pattern")) {
        const std::string format = node.value("format", "");
        if (format == "int64") node["pattern"] = Int64Pattern();
        if (format == "uint64") node["pattern"] = Uint64Pattern();
    }
    if (node.contains("title") && node["title"].is_string() && !node.contains("description")) {
        node["description"] = node["title"];
        node.erase("title");
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
        // Property names are keys, not schemas: descend into their values only.
        if (it.key() == "properties" && it->is_object()) {
            for (auto& [name, property] : it->items()) ConvertSchema(property);
        } else if (it->is_object() || it->is_array()) {
            ConvertSchema(*it);
        }
    }
}

std::string FirstSentence(const std::string& text) {
    std::size_t end = text.find('\n');
    const std::size_t period = text.find(". ");
    if (period != std::string::npos && (end == std::string::npos || period < end)) end = period + 1;
    std::string first = end == std::string::npos ? text : text.substr(0, end);
    if (first.size() > 120) first = first.substr(0, 117) + "...";
    return first;
}

/// A Swagger 2.0 non-body parameter as an OpenAPI 3 parameter (type, format, items, enum, default
/// move into its schema; repeated query parameters stay ?a=1&a=2, OpenAPI 3's default form style).
json ConvertParameter(const json& parameter) {
    json out = {{"name", parameter.at("name")}, {"in", parameter.at("in")}};
    if (parameter.contains("description")) out["description"] = parameter["description"];
    out["required"] = parameter.value("required", false) || parameter.at("in") == "path";
    json schema = json::object();
    for (const char* key : {"type", "format", "items", "enum", "default", "pattern", "minimum", "maximum", "minLength",
                            "maxLength", "minItems"}) {
        if (parameter.contains(key)) schema[key] = parameter[key];
    }
    if (schema.empty()) schema["type"] = "string";
    ConvertSchema(schema);
    out["schema"] = std::move(schema);
    return out;
}

json JsonContent(json schema) {
    ConvertSchema(schema);
    return {{"application/json", {{"schema", std::move(schema)}}}};
}

void ConvertOperation(const std::string& verb, json& operation) {
    if (operation.contains("summary") && operation["summary"].is_string()) {
        const std::string text = operation["summary"].get<std::string>();
        if (!operation.contains("description")) operation["description"] = text;
        operation["summary"] = FirstSentence(text);
    }
    json parameters = json::array();
    for (const auto& parameter : operation.value("parameters", json::array())) {
        if (parameter.value("in", "") == "body") {
            json body = {{"required", parameter.value("required", false)},
                         {"content", JsonContent(parameter.value("schema", json{{"type", "object"}}))}};
            if (parameter.contains("description")) body["description"] = parameter["description"];
            operation["requestBody"] = std::move(body);
        } else {
            parameters.push_back(ConvertParameter(parameter));
        }
    }
    // A method whose proto declares requires_idempotency_key refuses a call without the header; one
    // that declares accepts_idempotency_key reads it when given; any other write accepts one and
    // ignores it; the read-only verbs do not list it.
    const std::string key = operation.value(kKeyMarker, "");
    if (key == "required") {
        parameters.push_back({{"$ref", "#/components/parameters/IdempotencyKeyRequired"}});
    } else if (key == "accepted") {
        parameters.push_back({{"$ref", "#/components/parameters/IdempotencyKeyAccepted"}});
    } else if (verb != "get" && verb != "head" && verb != "options") {
        parameters.push_back({{"$ref", "#/components/parameters/IdempotencyKey"}});
    }
    operation.erase(kKeyMarker);
    if (parameters.empty()) {
        operation.erase("parameters");
    } else {
        operation["parameters"] = std::move(parameters);
    }
    operation.erase("consumes");
    operation.erase("produces");
    json responses = json::object();
    const json source_responses = operation.value("responses", json::object());
    for (const auto& [code, response] : source_responses.items()) {
        json converted = {{"description", response.value("description", "A response.")}};
        if (response.contains("schema")) converted["content"] = JsonContent(response.at("schema"));
        responses[code] = std::move(converted);
    }
    if (!responses.contains("default")) responses["default"] = {{"$ref", "#/components/responses/Error"}};
    operation["responses"] = std::move(responses);
}

enum class KeyUse { kRequired, kAccepted, kIgnored };

json IdempotencyKeyParameter(KeyUse use) {
    const char* description = "";
    switch (use) {
        case KeyUse::kRequired:
            description =
                "Required. 1..255 printable ASCII characters without spaces, chosen by the client (a UUID fits). "
                "A write sent again with the same key by the same caller returns the first answer instead of "
                "acting twice, so a client may retry a write whose answer it did not get. Keys are kept for the "
                "idempotency retention period. Without it: 400, field 'idempotency-key'.";
            break;
        case KeyUse::kAccepted:
            description =
                "Optional, and read when given (1..255 printable ASCII characters without spaces): a call sent "
                "again with the same key by the same caller returns the first answer instead of acting twice, "
                "and another request under that key is refused with 409. Without it each call acts anew.";
            break;
        case KeyUse::kIgnored:
            description =
                "Optional, and not read by this method: a call sent again is a new call. Checked for its form "
                "(1..255 printable ASCII characters without spaces) when given.";
            break;
    }
    return {{"name", "Idempotency-Key"},
            {"in", "header"},
            {"required", use == KeyUse::kRequired},
            {"description", description},
            {"schema", {{"type", "string"}, {"minLength", 1}, {"maxLength", 255}, {"pattern", "^[\\x21-\\x7E]+$"}}}};
}

json ErrorComponents() {
    const json error_schema = {
        {"type", "object"},
        {"description",
         "The body of every error the gateway answers: a gRPC status code name, a message for people, and the "
         "request field at fault when there is one."},
        {"required", {"code", "message", "field"}},
        {"properties",
         {{"code",
           {{"type", "string"},
            {"description",
             "The gRPC status code name: INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, "
             "ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED, RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL, ..."}}},
          {"message", {{"type", "string"}, {"description", "What went wrong, for people; not for parsing."}}},
          {"field",
           {{"type", "string"},
            {"description",
             "The request field (or header) at fault, for example 'milestones[0].amount'; '' when "
             "the error is not about one field."}}}}}};
    return {{"schemas", {{"Error", error_schema}}},
            {"responses",
             {{"Error",
               {{"description",
                 "An error: 400 invalid argument, 401 no or bad token, 403 not allowed, 404 not found, 409 conflict or "
                 "failed precondition, 429 rate limited or exhausted, 503 unavailable (retry with the same "
                 "Idempotency-Key), 504 deadline exceeded."},
                {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}}}}},
            {"parameters",
             {{"IdempotencyKeyRequired", IdempotencyKeyParameter(KeyUse::kRequired)},
              {"IdempotencyKeyAccepted", IdempotencyKeyParameter(KeyUse::kAccepted)},
              {"IdempotencyKey", IdempotencyKeyParameter(KeyUse::kIgnored)}}},
            {"securitySchemes",
             {{"bearer",
               {{"type", "http"},
                {"scheme", "bearer"},
                {"bearerFormat", "JWT"},
                {"description", "Authorization: Bearer <access token from POST /v1/auth/login>"}}}}}};
}

json ToOpenApi3(const json& swagger) {
    json components = ErrorComponents();
    const json definitions = swagger.value("definitions", json::object());
    for (const auto& [name, definition] : definitions.items()) {
        json schema = definition;
        ConvertSchema(schema);
        components["schemas"][name] = std::move(schema);
    }
    json paths = json::object();
    json websockets = json::object();
    std::map<std::string, bool> tags;
    const json source_paths = swagger.value("paths", json::object());
    for (const auto& [path, operations] : source_paths.items()) {
        for (const auto& [verb, source] : operations.items()) {
            json operation = source;
            ConvertOperation(verb, operation);
            for (const auto& tag : operation.value("tags", json::array())) tags[tag.get<std::string>()] = true;
            // A WebSocket is no HTTP operation (a plain GET is answered 426): it is listed apart.
            auto& target = operation.value("x-websocket", false) ? websockets : paths;
            target[path][verb] = std::move(operation);
        }
    }
    json tag_list = json::array();
    for (const auto& [tag, _] : tags) {
        tag_list.push_back(
            {{"name", tag},
             {"description", tag == "Gateway" ? std::string("The gateway's own endpoints.")
                                              : "The routes of " + tag + ", transcoded to its gRPC methods."}});
    }
    return {{"openapi", "3.0.3"},
            {"info",
             {{"title", "Marketplace API"},
              {"version", "v1"},
              {"description",
               "The marketplace's HTTP/JSON API: each route is transcoded by the gateway to a gRPC method of the "
               "service that owns it. Errors carry the Error body. A write whose Idempotency-Key header is marked "
               "required acts once per key and refuses a call without one. The WebSocket routes (GET with Upgrade: "
               "websocket, one JSON text frame per streamed message) are listed under x-websockets, in the form of "
               "operations: OpenAPI 3.0 cannot describe them as paths."},
              {"contact", {{"name", "Marketplace maintainers"}}}}},
            {"servers", {{{"url", "/"}, {"description", "This gateway"}}}},
            {"tags", std::move(tag_list)},
            {"security", swagger.value("security", json::array())},
            {"paths", std::move(paths)},
            {"x-websockets", std::move(websockets)},
            {"components", std::move(components)}};
}
}  // namespace

std::string BuildOpenApiDocument(const std::vector<std::string>& packages, const RouteTable& routes,
                                 const std::function<bool(std::string_view)>& is_public,
                                 const std::string& webhook_signature_header) {
    json merged = {{"swagger", "2.0"},
                   {"info", {{"title", "Marketplace API"}, {"version", "v1"}}},
                   {"schemes", {"http", "https"}},
                   {"consumes", {"application/json"}},
                   {"produces", {"application/json"}},
                   {"securityDefinitions",
                    {{"bearer",
                      {{"type", "apiKey"},
                       {"name", "Authorization"},
                       {"in", "header"},
                       {"description", "Bearer <access token from /v1/auth/login>"}}}}},
                   {"security", {{{"bearer", json::array()}}}},
                   {"paths", json::object()},
                   {"definitions", json::object()}};
    for (const auto& package : packages) {
        const EmbeddedOpenApiDocument* embedded = nullptr;
        for (const auto& doc : EmbeddedOpenApiDocuments()) {
            if (doc.package == package) embedded = &doc;
        }
        if (embedded == nullptr) throw std::runtime_error("no OpenAPI document embedded for package '" + package + "'");
        json doc = json::parse(embedded->json);
        std::map<std::string, std::string> renames;
        for (auto& [name, definition] : doc["definitions"].items()) {
            auto& existing = merged["definitions"];
            if (existing.contains(name) && existing[name] != definition) renames[name] = package + "." + name;
        }
        RewriteRefs(doc, renames);
        for (auto& [name, definition] : doc["definitions"].items()) {
            const auto renamed = renames.find(name);
            merged["definitions"][renamed == renames.end() ? name : renamed->second] = definition;
        }
        for (auto& [path, operations] : doc["paths"].items()) {
            for (auto& [verb, operation] : operations.items()) merged["paths"][path][verb] = operation;
        }
    }
    std::set<std::string> annotated;  // the definitions done
    for (const auto& route : routes.routes()) {
        if (route.server_streaming) DescribeWebSocket(merged["paths"], route);
        std::string verb = route.http_method;
        for (auto& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto& paths = merged["paths"];
        const std::string path = route.path.OpenApiPath();
        if (!paths.contains(path) || !paths[path].contains(verb)) continue;
        auto& operation = paths[path][verb];
        if (is_public(route.method->full_name())) operation["security"] = json::array();
        if (route.method->options().GetExtension(common::v1::requires_idempotency_key)) {
            operation[kKeyMarker] = "required";
        } else if (route.method->options().GetExtension(common::v1::accepts_idempotency_key)) {
            operation[kKeyMarker] = "accepted";
        }
        AnnotateOperation(operation, merged["definitions"], route, annotated);
    }
    json own_paths = GatewayPaths(webhook_signature_header);
    if (std::find(packages.begin(), packages.end(), "workroom") != packages.end()) {
        own_paths["/webhooks/github/{link_id}"]["post"] = {
            {"summary",
             "A GitHub webhook delivery for a repository linked to a workroom, passed to the workroom byte for byte."},
            {"operationId", "HandleGitHubWebhook"},
            {"tags", {"WorkroomCodeService"}},
            {"security", json::array()},
            {"consumes", {"application/json"}},
            {"parameters",
             {{{"name", "link_id"},
               {"in", "path"},
               {"required", true},
               {"type", "string"},
               {"format", "uuid"},
               {"description", "The repository link (LinkRepository's link_id)."}},
              PrintableHeader("X-GitHub-Event", 64, "pull_request, check_suite, check_run, status, ping, ..."),
              PrintableHeader("X-GitHub-Delivery", 100, "The delivery's id (a UUID from GitHub)."),
              PrintableHeader("X-Hub-Signature-256", 1024,
                              "sha256=<hex HMAC-SHA256 of the body under the link's secret>"),
              {{"name", "body"},
               {"in", "body"},
               {"required", true},
               {"description", "GitHub's JSON payload, as GitHub sent it."},
               {"schema", {{"type", "object"}}}}}},
            {"responses",
             {{"200", {{"description", "Handled: {\"outcome\": applied | duplicate | outdated | ignored}."}}}}}};
    }
    for (const auto& [path, operations] : own_paths.items()) {
        for (const auto& [verb, operation] : operations.items()) merged["paths"][path][verb] = operation;
    }
    return ToOpenApi3(merged).dump();
}

}  // namespace marketplace::gateway
