#include "openapi/openapi.hpp"

#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace marketplace::gateway {
using nlohmann::json;

namespace {

constexpr char kDefinitionsPrefix[] = "#/definitions/";

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
    const json error_schema = {
        {"type", "object"},
        {"properties",
         {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}, {"field", {{"type", "string"}}}}}};
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
             {{{"name", "provider"}, {"in", "path"}, {"required", true}, {"type", "string"}},
              {{"name", webhook_signature_header},
               {"in", "header"},
               {"required", true},
               {"type", "string"},
               {"description", "t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>"}},
              {{"name", "body"}, {"in", "body"}, {"required", true}, {"schema", {{"type", "object"}}}}}},
            {"responses",
             {{"200", {{"description", "Handled."}}},
              {"default", {{"description", "An error."}, {"schema", error_schema}}}}}};
    }
    return paths;
}

// A server-streaming route is a WebSocket (ws/websocket_bridge.hpp): say so where Swagger 2.0 can.
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
        if (!is_public(route.method->full_name())) continue;
        std::string verb = route.http_method;
        for (auto& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto& paths = merged["paths"];
        const std::string path = route.path.OpenApiPath();
        if (paths.contains(path) && paths[path].contains(verb)) paths[path][verb]["security"] = json::array();
    }
    const json own_paths = GatewayPaths(webhook_signature_header);
    for (const auto& [path, operations] : own_paths.items()) {
        for (const auto& [verb, operation] : operations.items()) merged["paths"][path][verb] = operation;
    }
    return merged.dump();
}

}  // namespace marketplace::gateway
