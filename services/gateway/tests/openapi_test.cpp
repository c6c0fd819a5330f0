#include <catch2/catch.hpp>

#include <functional>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "edge/public_routes.hpp"
#include "marketplace/common/v1/options.pb.h"
#include "openapi/openapi.hpp"
#include "routing/linked_protos.hpp"

using namespace marketplace::gateway;
using nlohmann::json;

namespace {

std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

void CollectRefs(const json& node, std::set<std::string>& refs) {
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (it.key() == "$ref" && it->is_string()) {
                refs.insert(it->get<std::string>());
            } else {
                CollectRefs(*it, refs);
            }
        }
    } else if (node.is_array()) {
        for (const auto& item : node) CollectRefs(item, refs);
    }
}

}  // namespace

TEST_CASE("OpenAPI: the embedded documents list exactly the routes of the route table", "[gateway][unit]") {
    const std::vector<std::string> packages = {"auth", "jobs", "contracts", "payments", "notifications"};
    std::vector<const google::protobuf::ServiceDescriptor*> services;
    for (const auto& p : packages) {
        for (const auto* s : ServicesOf(*FindLinkedPackage(p))) services.push_back(s);
    }
    const auto table = RouteTable::FromServices(services);
    const auto doc = json::parse(BuildOpenApiDocument(packages, table, IsPublicMethod, "X-Signature"));
    CHECK(doc["openapi"] == "3.0.3");
    CHECK_FALSE(doc.contains("swagger"));

    std::set<std::pair<std::string, std::string>> from_routes;
    for (const auto& route : table.routes()) from_routes.insert({route.path.OpenApiPath(), Lower(route.http_method)});
    std::set<std::pair<std::string, std::string>> from_doc;
    for (const char* list : {"paths", "x-websockets"}) {
        for (const auto& [path, operations] : doc[list].items()) {
            for (const auto& [verb, operation] : operations.items()) CHECK(from_doc.insert({path, verb}).second);
        }
    }
    // A WebSocket route is listed under x-websockets, every other route under paths.
    for (const auto& route : table.routes()) {
        INFO(route.path.OpenApiPath());
        CHECK(doc[route.server_streaming ? "x-websockets" : "paths"].contains(route.path.OpenApiPath()));
    }
    for (const auto& r : from_routes) {
        INFO(r.second << " " << r.first);
        CHECK(from_doc.count(r) == 1);
    }
    // And nothing else but the gateway's own endpoints.
    for (const auto& d : from_doc) {
        if (from_routes.count(d) == 1) continue;
        INFO(d.second << " " << d.first);
        CHECK((d.first == "/healthz" || d.first == "/readyz" || d.first == "/webhooks/payments/{provider}"));
    }
}

TEST_CASE("OpenAPI: public operations need no token, the others the bearer scheme", "[gateway][unit]") {
    const std::vector<std::string> packages = {"auth", "jobs"};
    std::vector<const google::protobuf::ServiceDescriptor*> services;
    for (const auto& p : packages) {
        for (const auto* s : ServicesOf(*FindLinkedPackage(p))) services.push_back(s);
    }
    const auto table = RouteTable::FromServices(services);
    const auto doc = json::parse(BuildOpenApiDocument(packages, table, IsPublicMethod, ""));
    CHECK(doc["security"][0].contains("bearer"));
    CHECK(doc["paths"]["/v1/auth/login"]["post"]["security"] == json::array());
    CHECK(doc["paths"]["/v1/job-templates"]["get"]["security"] == json::array());
    CHECK_FALSE(doc["paths"]["/v1/jobs"]["post"].contains("security"));  // the document's default: bearer
    CHECK_FALSE(doc["paths"].contains("/webhooks/payments/{provider}"));
    CHECK_FALSE(doc["paths"].contains("/v1/contracts"));
}

TEST_CASE("OpenAPI: every $ref of the merged document resolves", "[gateway][unit]") {
    const std::vector<std::string> packages = {"auth", "jobs", "contracts", "payments"};
    std::vector<const google::protobuf::ServiceDescriptor*> services;
    for (const auto& p : packages) {
        for (const auto* s : ServicesOf(*FindLinkedPackage(p))) services.push_back(s);
    }
    const auto doc =
        json::parse(BuildOpenApiDocument(packages, RouteTable::FromServices(services), IsPublicMethod, ""));
    std::set<std::string> refs;
    CollectRefs(doc, refs);
    CHECK(refs.size() > 20);
    const std::string schemas = "#/components/schemas/", responses = "#/components/responses/",
                      parameters = "#/components/parameters/";
    for (const auto& ref : refs) {
        INFO(ref);
        if (ref.rfind(schemas, 0) == 0) {
            CHECK(doc["components"]["schemas"].contains(ref.substr(schemas.size())));
        } else if (ref.rfind(responses, 0) == 0) {
            CHECK(doc["components"]["responses"].contains(ref.substr(responses.size())));
        } else {
            REQUIRE(ref.rfind(parameters, 0) == 0);
            CHECK(doc["components"]["parameters"].contains(ref.substr(parameters.size())));
        }
    }
    CHECK_THROWS(BuildOpenApiDocument({"nope"}, RouteTable{}, IsPublicMethod, ""));
}

TEST_CASE("OpenAPI: a server-streaming route is described as a WebSocket, apart from the paths", "[gateway][unit]") {
    const auto table = RouteTable::FromServices(ServicesOf(*FindLinkedPackage("notifications")));
    const auto doc = json::parse(BuildOpenApiDocument({"notifications"}, table, IsPublicMethod, ""));
    // A plain GET of it is answered 426: it is no HTTP operation, so fuzzers and HTTP clients do not take it for one.
    CHECK_FALSE(doc["paths"].contains("/v1/notifications:stream"));
    const auto& stream = doc["x-websockets"]["/v1/notifications:stream"]["get"];
    CHECK(stream["x-websocket"] == true);
    CHECK(stream["responses"]["101"]["content"]["application/json"]["schema"]["$ref"] ==
          "#/components/schemas/v1Notification");
    CHECK(!stream["responses"].contains("200"));
    CHECK(!doc["paths"]["/v1/notifications"]["get"].contains("x-websocket"));
}

namespace {

const std::vector<std::string> kFullPackages = {"auth", "jobs", "contracts", "payments", "notifications"};

/// The routes of kFullPackages, as the gateway serving them would hold them.
RouteTable FullRoutes() {
    std::vector<const google::protobuf::ServiceDescriptor*> services;
    for (const auto& p : kFullPackages) {
        for (const auto* s : ServicesOf(*FindLinkedPackage(p))) services.push_back(s);
    }
    return RouteTable::FromServices(services);
}

json FullDocument() { return json::parse(BuildOpenApiDocument(kFullPackages, FullRoutes(), IsPublicMethod, "X-Sig")); }

/// Every schema reachable under `node` whose properties lack a description (path for the message).
void MissingDescriptions(const json& node, const std::string& where, std::vector<std::string>& missing) {
    if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i) MissingDescriptions(node[i], where, missing);
        return;
    }
    if (!node.is_object()) return;
    if (node.contains("properties")) {
        for (const auto& [name, property] : node["properties"].items()) {
            if (!property.contains("description") || property["description"].get<std::string>().empty()) {
                missing.push_back(where + "." + name);
            }
            MissingDescriptions(property, where + "." + name, missing);
        }
    }
    for (const auto& [key, value] : node.items()) {
        if (key != "properties") MissingDescriptions(value, where, missing);
    }
}

}  // namespace

TEST_CASE("OpenAPI 3: every operation has a description, a tag and a unique operationId", "[gateway][unit]") {
    const auto doc = FullDocument();
    std::set<std::string> ids, declared_tags;
    for (const auto& tag : doc["tags"]) declared_tags.insert(tag["name"].get<std::string>());
    std::size_t operations = 0;
    for (const auto& [path, verbs] : doc["paths"].items()) {
        for (const auto& [verb, op] : verbs.items()) {
            INFO(verb << " " << path);
            ++operations;
            REQUIRE(op.contains("description"));
            CHECK(!op["description"].get<std::string>().empty());
            REQUIRE(op.contains("tags"));
            REQUIRE(op["tags"].size() >= 1);
            CHECK(declared_tags.count(op["tags"][0].get<std::string>()) == 1);
            REQUIRE(op.contains("operationId"));
            CHECK(ids.insert(op["operationId"].get<std::string>()).second);
            // Every answer may be the error body.
            REQUIRE(op["responses"].contains("default"));
            CHECK(op["responses"]["default"]["$ref"] == "#/components/responses/Error");
            // Swagger 2.0 leftovers are gone.
            CHECK_FALSE(op.contains("consumes"));
            for (const auto& parameter : op.value("parameters", json::array())) {
                if (parameter.contains("$ref")) continue;
                CHECK(parameter["in"] != "body");
                CHECK(parameter.contains("schema"));
                CHECK(parameter.contains("description"));
            }
        }
    }
    CHECK(operations > 40);
}

TEST_CASE("OpenAPI 3: every field carries its proto comment as its description, also beside a $ref",
          "[gateway][unit]") {
    const auto doc = FullDocument();
    std::vector<std::string> missing;
    for (const auto& [name, schema] : doc["components"]["schemas"].items()) {
        if (!schema.contains("description")) missing.push_back(name);
        MissingDescriptions(schema, name, missing);
    }
    INFO(missing.size() << " without a description, first: " << (missing.empty() ? "" : missing.front()));
    CHECK(missing.empty());
    // A message-typed field: its comment stays, the type comes through allOf.
    const auto& total = doc["components"]["schemas"]["v1SubmitProposalRequest"]["properties"]["total"];
    CHECK(total["description"].get<std::string>().find("sum of the milestones") != std::string::npos);
    CHECK(total["allOf"][0]["$ref"] == "#/components/schemas/v1Money");
    CHECK_FALSE(total.contains("$ref"));
}

TEST_CASE("OpenAPI 3: writes take an Idempotency-Key, reads do not, and the error body is described",
          "[gateway][unit]") {
    const auto doc = FullDocument();
    for (const char* name : {"IdempotencyKey", "IdempotencyKeyAccepted", "IdempotencyKeyRequired"}) {
        const auto& key = doc["components"]["parameters"][name];
        CHECK(key["name"] == "Idempotency-Key");
        CHECK(key["in"] == "header");
        CHECK(key["schema"]["maxLength"] == 255);
    }
    CHECK(doc["components"]["parameters"]["IdempotencyKeyRequired"]["required"] == true);
    CHECK(doc["components"]["parameters"]["IdempotencyKey"]["required"] == false);
    CHECK(doc["components"]["parameters"]["IdempotencyKeyAccepted"]["required"] == false);
    // "required", "accepted", "optional" or "none": how an operation lists the header.
    const auto key_of = [](const json& op) -> std::string {
        for (const auto& p : op.value("parameters", json::array())) {
            const auto ref = p.value("$ref", "");
            if (ref == "#/components/parameters/IdempotencyKeyRequired") return "required";
            if (ref == "#/components/parameters/IdempotencyKeyAccepted") return "accepted";
            if (ref == "#/components/parameters/IdempotencyKey") return "optional";
        }
        return "none";
    };
    CHECK(key_of(doc["paths"]["/v1/jobs"]["post"]) == "required");           // PostJob declares it
    CHECK(key_of(doc["paths"]["/v1/auth/register"]["post"]) == "required");  // so does Register (no token)
    CHECK(key_of(doc["paths"]["/v1/auth/login"]["post"]) == "optional");     // Login does not
    CHECK(key_of(doc["paths"]["/v1/jobs"]["get"]) == "none");
    // Marking a notification read is idempotent by itself: a key is read when given.
    CHECK(key_of(doc["paths"]["/v1/notifications/{notification_id}:read"]["post"]) == "accepted");
    // Every route: required exactly where its method declares requires_idempotency_key.
    int required = 0;
    const auto routes = FullRoutes();
    for (const auto& route : routes.routes()) {
        if (route.server_streaming) continue;
        const auto& op = doc["paths"][route.path.OpenApiPath()][Lower(route.http_method)];
        const bool declared = route.method->options().GetExtension(marketplace::common::v1::requires_idempotency_key);
        INFO(route.method->full_name());
        CHECK((key_of(op) == "required") == declared);
        CHECK((key_of(op) == "accepted") ==
              route.method->options().GetExtension(marketplace::common::v1::accepts_idempotency_key));
        CHECK_FALSE(op.contains("x-marketplace-idempotency-key"));
        required += declared ? 1 : 0;
    }
    CHECK(required >= 20);
}

TEST_CASE("OpenAPI 3: path parameters bound to UUID fields have format uuid", "[gateway][unit]") {
    const auto doc = FullDocument();
    const auto format_of = [&](const std::string& path, const std::string& verb, const std::string& name) {
        for (const auto& p : doc["paths"][path][verb].value("parameters", json::array())) {
            if (p.value("name", "") == name && p.value("in", "") == "path") return p["schema"].value("format", "");
        }
        return std::string("(no such parameter)");
    };
    CHECK(format_of("/v1/jobs/{job_id}", "get", "job_id") == "uuid");
    CHECK(format_of("/v1/job-templates/{template_id}", "get", "template_id").empty());  // a slug
    // Every route: format uuid exactly where the bound field declares (marketplace.common.v1.uuid).
    int uuids = 0;
    const auto routes = FullRoutes();
    for (const auto& route : routes.routes()) {
        if (route.server_streaming) continue;
        for (const auto& variable : route.path.variables()) {
            const auto* field = route.method->input_type()->FindFieldByName(variable.field_path);
            REQUIRE(field != nullptr);
            const bool declared = field->options().GetExtension(marketplace::common::v1::uuid);
            INFO(route.method->full_name() << " " << variable.field_path);
            CHECK((format_of(route.path.OpenApiPath(), Lower(route.http_method), variable.field_path) == "uuid") ==
                  declared);
            uuids += declared ? 1 : 0;
        }
    }
    CHECK(uuids >= 20);
    // The GitHub webhook's link id, a path of the gateway's own, is a UUID too.
    const auto workroom = json::parse(BuildOpenApiDocument(
        {"workroom"}, RouteTable::FromServices(ServicesOf(*FindLinkedPackage("workroom"))), IsPublicMethod, ""));
    bool link_id = false;
    for (const auto& p : workroom["paths"]["/webhooks/github/{link_id}"]["post"]["parameters"]) {
        if (p.value("name", "") == "link_id") link_id = p["schema"].value("format", "") == "uuid";
    }
    CHECK(link_id);
    const auto& post_job = doc["paths"]["/v1/jobs"]["post"];
    CHECK(post_job["requestBody"]["content"]["application/json"]["schema"]["$ref"] ==
          "#/components/schemas/v1PostJobRequest");
    const auto& error = doc["components"]["schemas"]["Error"];
    CHECK(error["required"] == json({"code", "message", "field"}));
    for (const char* field : {"code", "message", "field"}) CHECK(error["properties"][field].contains("description"));
    CHECK(doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
}

namespace {

/// Every "pattern" under `node`, with where it is.
void CollectPatterns(const json& node, const std::string& where,
                     std::vector<std::pair<std::string, std::string>>& out) {
    if (node.is_array()) {
        for (const auto& item : node) CollectPatterns(item, where, out);
    } else if (node.is_object()) {
        for (const auto& [key, value] : node.items()) {
            if (key == "pattern" && value.is_string()) {
                out.emplace_back(where, value.get<std::string>());
            } else {
                CollectPatterns(value, where + "/" + key, out);
            }
        }
    }
}

bool Matches(const std::string& pattern, const std::string& text) {
    return std::regex_search(text, std::regex(pattern, std::regex::ECMAScript));
}

const json& QueryParameter(const json& op, const std::string& name) {
    for (const auto& p : op["parameters"]) {
        if (p.value("name", "") == name && p.value("in", "") == "query") return p;
    }
    static const json none;
    return none;
}

}  // namespace

TEST_CASE("OpenAPI 3: what a request field's options declare, its schema says", "[gateway][unit]") {
    const auto doc = FullDocument();
    const auto& schemas = doc["components"]["schemas"];
    // Required fields, lengths, patterns, and an enum without its zero value.
    const auto& reg = schemas["v1RegisterRequest"];
    CHECK(reg["required"] == json({"email", "password", "role", "display_name"}));
    CHECK(reg["properties"]["email"]["format"] == "email");
    CHECK(reg["properties"]["email"]["maxLength"] == 254);
    CHECK(reg["properties"]["password"]["minLength"] == 10);
    CHECK(reg["properties"]["password"]["maxLength"] == 128);
    CHECK(reg["properties"]["display_name"]["minLength"] == 1);
    CHECK(reg["properties"]["role"]["enum"] ==
          json({"ROLE_CLIENT", "ROLE_FREELANCER", "ROLE_ADMIN", "ROLE_MEDIATOR", "ROLE_EXPERT"}));
    CHECK(reg["properties"]["role"].contains("description"));
    CHECK(schemas["v1RefreshRequest"]["required"] == json({"refresh_token"}));
    // A request message, and a message inside one, take no member that names none of their fields.
    CHECK(reg["additionalProperties"] == false);
    CHECK(schemas["v1Money"]["additionalProperties"] == false);
    // null reads as the default: allowed where a field is not required.
    CHECK(schemas["v1PostJobRequest"]["properties"]["title"]["nullable"] == true);
    CHECK_FALSE(reg["properties"]["email"].contains("nullable"));
    CHECK_FALSE(schemas["v1PostJobRequest"].contains("required"));  // nothing declared there
    // A missing body reads as {}: it is required only where one of its fields is.
    CHECK(doc["paths"]["/v1/auth/register"]["post"]["requestBody"]["required"] == true);
    CHECK(doc["paths"]["/v1/jobs"]["post"]["requestBody"]["required"] == false);
    // Bounds of a 32-bit integer, in a query parameter.
    const auto& page_size = QueryParameter(doc["paths"]["/v1/me/jobs"]["get"], "page_size");
    CHECK(page_size["schema"]["minimum"] == 0);
    CHECK(page_size["schema"]["maximum"] == 100);
    CHECK(page_size["required"] == false);
    // An enum in a query, by name or by number.
    const auto& status = QueryParameter(doc["paths"]["/v1/me/jobs"]["get"], "status")["schema"]["enum"];
    CHECK(std::find(status.begin(), status.end(), "JOB_STATUS_OPEN") != status.end());
    CHECK(std::find(status.begin(), status.end(), "0") != status.end());
    CHECK(std::find(status.begin(), status.end(), "1") != status.end());
    // Every query parameter bound to a field with bounds carries them.
    int bounded = 0;
    const auto routes = FullRoutes();
    for (const auto& route : routes.routes()) {
        if (route.server_streaming || route.http_method != "GET") continue;
        const auto& op = doc["paths"][route.path.OpenApiPath()]["get"];
        for (const auto& p : op.value("parameters", json::array())) {
            if (p.value("in", "") != "query") continue;
            const auto* field = route.method->input_type()->FindFieldByName(p.value("name", ""));
            if (field == nullptr || !field->options().HasExtension(marketplace::common::v1::maximum)) continue;
            INFO(route.method->full_name() << " " << field->name());
            CHECK(p["schema"]["maximum"] == field->options().GetExtension(marketplace::common::v1::maximum));
            ++bounded;
        }
    }
    CHECK(bounded >= 5);
    // 64-bit integers are JSON strings holding a number in range, in bodies and in queries.
    const auto& amount = schemas["v1Money"]["properties"]["minor_units"];
    REQUIRE(amount.contains("pattern"));
    CHECK(QueryParameter(doc["paths"]["/v1/jobs"]["get"], "budget_min.minor_units")["schema"]["pattern"] ==
          amount["pattern"]);
}

TEST_CASE("OpenAPI 3: every pattern is a valid regular expression that takes what the services take",
          "[gateway][unit]") {
    const auto doc = FullDocument();
    std::vector<std::pair<std::string, std::string>> patterns;
    CollectPatterns(doc, "", patterns);
    CHECK(patterns.size() > 20);
    for (const auto& [where, pattern] : patterns) {
        INFO(where << ": " << pattern);
        CHECK_NOTHROW(std::regex(pattern, std::regex::ECMAScript));
    }
    const std::string int64 = doc["components"]["schemas"]["v1Money"]["properties"]["minor_units"]["pattern"];
    for (const char* in_range :
         {"0", "7", "-7", "10", "99", "100", "1000000", "9223372036854775807", "-9223372036854775807",
          "9223372036854775799", "9199999999999999999", "8999999999999999999", "999999999999999999"}) {
        INFO(in_range);
        CHECK(Matches(int64, in_range));
    }
    for (const char* out : {"", "-", "+1", "01", "1.0", "1e3", " 1", "9223372036854775808", "9300000000000000000",
                            "10000000000000000000", "92233720368547758070", "abc"}) {
        INFO(out);
        CHECK_FALSE(Matches(int64, out));
    }
    const std::string email = doc["components"]["schemas"]["v1RegisterRequest"]["properties"]["email"]["pattern"];
    for (const char* ok : {"a@example.com", "First.Last+tag@mail.example.co", "x_y-z@a-b.io"}) {
        INFO(ok);
        CHECK(Matches(email, ok));
    }
    for (const char* bad : {"", "a", "a@b", "a..b@example.com", ".a@example.com", "a.@example.com", "a@-b.com",
                            "a@b-.com", "a@@b.com", "a b@example.com"}) {
        INFO(bad);
        CHECK_FALSE(Matches(email, bad));
    }
}
