#include "openapi/openapi.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "marketplace/common/v1/options.pb.h"

namespace marketplace::gateway {
using nlohmann::json;

namespace {

constexpr char kDefinitionsPrefix[] = "#/definitions/";
// Set on an operation whose method declares requires_idempotency_key, until ConvertOperation reads it.
constexpr char kKeyRequiredMarker[] = "x-marketplace-idempotency-key-required";

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
              {{"name", webhook_signature_header},
               {"in", "header"},
               {"required", true},
               {"type", "string"},
               {"description", "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>"}},
              {{"name", "body"},
               {"in", "body"},
               {"required", true},
               {"description", "The provider's notification, as the provider sent it."},
               {"schema", {{"type", "object"}}}}}},
            {"responses", {{"200", {{"description", "Handled."}}}}}};
    }
    return paths;
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
    for (const char* key : {"type", "format", "items", "enum", "default", "pattern", "minimum", "maximum"}) {
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
    // A method whose proto declares requires_idempotency_key refuses a call without the header; any
    // other write accepts one and ignores it; the read-only verbs do not list it.
    if (operation.value(kKeyRequiredMarker, false)) {
        parameters.push_back({{"$ref", "#/components/parameters/IdempotencyKeyRequired"}});
    } else if (verb != "get" && verb != "head" && verb != "options") {
        parameters.push_back({{"$ref", "#/components/parameters/IdempotencyKey"}});
    }
    operation.erase(kKeyRequiredMarker);
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

json IdempotencyKeyParameter(bool required) {
    return {{"name", "Idempotency-Key"},
            {"in", "header"},
            {"required", required},
            {"description",
             required ? "Required. 1..255 printable ASCII characters chosen by the client (a UUID fits), without a "
                        "leading or trailing space. A write sent again with the same key by the same caller returns "
                        "the first answer instead of acting twice, so a client may retry a write whose answer it did "
                        "not get. Keys are kept for the idempotency retention period. Without it: 400, field "
                        "'idempotency-key'."
                      : "Optional, and not read by this method: a call sent again is a new call. Checked for its "
                        "form (1..255 printable ASCII characters) when given."},
            {"schema",
             {{"type", "string"},
              {"minLength", 1},
              {"maxLength", 255},
              {"pattern", "^[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?$"}}}};
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
             {{"IdempotencyKeyRequired", IdempotencyKeyParameter(true)},
              {"IdempotencyKey", IdempotencyKeyParameter(false)}}},
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
    std::map<std::string, bool> tags;
    const json source_paths = swagger.value("paths", json::object());
    for (const auto& [path, operations] : source_paths.items()) {
        for (const auto& [verb, source] : operations.items()) {
            json operation = source;
            ConvertOperation(verb, operation);
            for (const auto& tag : operation.value("tags", json::array())) tags[tag.get<std::string>()] = true;
            paths[path][verb] = std::move(operation);
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
               "required acts once per key and refuses a call without one."},
              {"contact", {{"name", "Marketplace maintainers"}}}}},
            {"servers", {{{"url", "/"}, {"description", "This gateway"}}}},
            {"tags", std::move(tag_list)},
            {"security", swagger.value("security", json::array())},
            {"paths", std::move(paths)},
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
            operation[kKeyRequiredMarker] = true;
        }
        // A path parameter bound to a field declared (marketplace.common.v1.uuid) is a UUID.
        for (const auto& variable : route.path.variables()) {
            const auto* field = route.method->input_type()->FindFieldByName(variable.field_path);
            if (field == nullptr || !field->options().GetExtension(common::v1::uuid) ||
                !operation.contains("parameters")) {
                continue;
            }
            for (auto& parameter : operation["parameters"]) {
                if (parameter.value("in", "") == "path" && parameter.value("name", "") == variable.field_path) {
                    parameter["format"] = "uuid";
                }
            }
        }
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
              {{"name", "X-GitHub-Event"}, {"in", "header"}, {"required", true}, {"type", "string"}},
              {{"name", "X-GitHub-Delivery"}, {"in", "header"}, {"required", true}, {"type", "string"}},
              {{"name", "X-Hub-Signature-256"},
               {"in", "header"},
               {"required", true},
               {"type", "string"},
               {"description", "sha256=<hex HMAC-SHA256 of the body under the link's secret>"}},
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
