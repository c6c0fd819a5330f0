#include <catch2/catch.hpp>

#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "edge/public_routes.hpp"
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
    CHECK(doc["swagger"] == "2.0");

    std::set<std::pair<std::string, std::string>> from_routes;
    for (const auto& route : table.routes()) from_routes.insert({route.path.OpenApiPath(), Lower(route.http_method)});
    std::set<std::pair<std::string, std::string>> from_doc;
    for (const auto& [path, operations] : doc["paths"].items()) {
        for (const auto& [verb, operation] : operations.items()) from_doc.insert({path, verb});
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
    for (const auto& ref : refs) {
        INFO(ref);
        REQUIRE(ref.rfind("#/definitions/", 0) == 0);
        CHECK(doc["definitions"].contains(ref.substr(14)));
    }
    CHECK_THROWS(BuildOpenApiDocument({"nope"}, RouteTable{}, IsPublicMethod, ""));
}

TEST_CASE("OpenAPI: a server-streaming route is described as a WebSocket", "[gateway][unit]") {
    const auto table = RouteTable::FromServices(ServicesOf(*FindLinkedPackage("notifications")));
    const auto doc = json::parse(BuildOpenApiDocument({"notifications"}, table, IsPublicMethod, ""));
    const auto& stream = doc["paths"]["/v1/notifications:stream"]["get"];
    CHECK(stream["x-websocket"] == true);
    CHECK(stream["responses"]["101"]["schema"]["$ref"] == "#/definitions/v1Notification");
    CHECK(!stream["responses"].contains("200"));
    CHECK(!doc["paths"]["/v1/notifications"]["get"].contains("x-websocket"));
}
