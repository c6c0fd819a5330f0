#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>

#include "google/api/annotations.pb.h"
#include "routing/linked_protos.hpp"
#include "routing/route_table.hpp"

using namespace marketplace::gateway;
namespace pb = google::protobuf;

namespace {

std::vector<const pb::ServiceDescriptor*> Services(std::initializer_list<const char*> packages) {
    std::vector<const pb::ServiceDescriptor*> services;
    for (const char* name : packages) {
        const auto* package = FindLinkedPackage(name);
        REQUIRE(package != nullptr);
        for (const auto* s : ServicesOf(*package)) services.push_back(s);
    }
    return services;
}

const pb::MethodDescriptor* Method(const char* full_name) {
    const auto* m = pb::DescriptorPool::generated_pool()->FindMethodByName(full_name);
    REQUIRE(m != nullptr);
    return m;
}

Route MakeRoute(const char* method, const char* http_method, const char* path, const char* body = "") {
    Route r;
    r.method = Method(method);
    r.http_method = http_method;
    r.path = PathTemplate::Parse(path);
    r.body = body;
    r.grpc_path = "/" + r.method->service()->full_name() + "/" + r.method->name();
    return r;
}

}  // namespace

TEST_CASE("Route table: every annotated RPC of the linked services has a route", "[gateway][unit]") {
    const auto services = Services({"auth", "jobs", "contracts", "payments", "notifications"});
    const auto table = RouteTable::FromServices(services);
    std::set<std::string> routed;
    for (const auto& route : table.routes()) routed.insert(route.method->full_name());
    std::size_t annotated = 0;
    for (const auto* service : services) {
        for (int i = 0; i < service->method_count(); ++i) {
            const auto* method = service->method(i);
            if (!method->options().HasExtension(google::api::http)) continue;
            ++annotated;
            CHECK(routed.count(method->full_name()) == 1);
        }
    }
    CHECK(annotated > 30);
    CHECK(routed.size() == annotated);
    CHECK(table.skipped_streaming().empty());
}

TEST_CASE("Route table: a server-streaming RPC's GET is a WebSocket route beside the unary ones", "[gateway][unit]") {
    const auto table = RouteTable::FromServices(Services({"notifications"}));
    const auto stream = table.Find("GET", "/v1/notifications:stream");
    REQUIRE(stream.route != nullptr);
    CHECK(stream.route->server_streaming);
    CHECK(stream.route->grpc_path == "/marketplace.notifications.v1.NotificationsService/StreamNotifications");
    const auto list = table.Find("GET", "/v1/notifications");
    REQUIRE(list.route != nullptr);
    CHECK(!list.route->server_streaming);
    CHECK(table.Find("POST", "/v1/notifications:stream").allowed_methods == std::vector<std::string>{"GET"});
    CHECK(table.skipped_streaming().empty());
}

TEST_CASE("Route table: additional bindings add routes to the same RPC", "[gateway][unit]") {
    const auto table = RouteTable::FromServices(Services({"contracts"}));
    const auto by_contract = table.Find("GET", "/v1/contracts/c1/reviews");
    const auto by_user = table.Find("GET", "/v1/users/u1/reviews");
    REQUIRE(by_contract.route != nullptr);
    REQUIRE(by_user.route != nullptr);
    CHECK(by_contract.route->method == by_user.route->method);
    CHECK(by_user.bindings.at(0).field_path == "reviewee_id");
}

TEST_CASE("Route table: lookups pick the method's most specific route, else 404 or 405", "[gateway][unit]") {
    const auto table = RouteTable::FromServices(Services({"jobs"}));
    const auto get = table.Find("GET", "/v1/jobs/j1");
    REQUIRE(get.route != nullptr);
    CHECK(get.route->method->name() == "GetJob");
    CHECK(get.route->grpc_path == "/marketplace.jobs.v1.JobsService/GetJob");

    const auto close = table.Find("POST", "/v1/jobs/j1:close");
    REQUIRE(close.route != nullptr);
    CHECK(close.route->method->name() == "CloseJob");
    CHECK(close.bindings.at(0).raw_value == "j1");
    CHECK(close.route->body == "*");

    const auto search = table.Find("GET", "/v1/jobs");
    REQUIRE(search.route != nullptr);
    CHECK(search.route->method->name() == "SearchJobs");

    const auto wrong_method = table.Find("DELETE", "/v1/jobs");
    CHECK(wrong_method.route == nullptr);
    CHECK(std::set<std::string>(wrong_method.allowed_methods.begin(), wrong_method.allowed_methods.end()) ==
          std::set<std::string>{"GET", "POST"});

    const auto missing = table.Find("GET", "/v1/nothing/here");
    CHECK(missing.route == nullptr);
    CHECK(missing.allowed_methods.empty());
}

TEST_CASE("Route table: a path ending in a route's verb is that route's, whatever the method", "[gateway][unit]") {
    const auto table = RouteTable::FromServices(Services({"jobs"}));
    // GET /v1/jobs/{job_id} does not take "j1:close" for a job id: only POST is allowed there.
    const auto get = table.Find("GET", "/v1/jobs/j1:close");
    CHECK(get.route == nullptr);
    CHECK(get.allowed_methods == std::vector<std::string>{"POST"});
    const auto options = table.Find("OPTIONS", "/v1/jobs/j1:close");
    CHECK(options.route == nullptr);
    CHECK(options.allowed_methods == std::vector<std::string>{"POST"});
    // A colon that is no route's verb is still part of the id.
    const auto colon = table.Find("GET", "/v1/jobs/j1:nothing");
    REQUIRE(colon.route != nullptr);
    CHECK(colon.route->method->name() == "GetJob");
    CHECK(colon.bindings.at(0).raw_value == "j1:nothing");
}

TEST_CASE("Route table: two routes of one method with the same shape conflict", "[gateway][unit]") {
    RouteTable table;
    table.Add(MakeRoute("marketplace.jobs.v1.JobsService.GetJob", "GET", "/v1/jobs/{job_id}"));
    CHECK_THROWS_WITH(
        table.Add(MakeRoute("marketplace.jobs.v1.JobsService.GetTemplate", "GET", "/v1/jobs/{template_id}")),
        Catch::Contains("conflicting routes") && Catch::Contains("GetJob") && Catch::Contains("GetTemplate"));
    // Another method, or another shape, is fine.
    CHECK_NOTHROW(table.Add(MakeRoute("marketplace.jobs.v1.JobsService.UpdateJob", "PATCH", "/v1/jobs/{job_id}", "*")));
    CHECK_NOTHROW(table.Add(MakeRoute("marketplace.jobs.v1.JobsService.CloseJob", "GET", "/v1/jobs/{job_id}:close")));
    CHECK_NOTHROW(table.Add(MakeRoute("marketplace.jobs.v1.JobsService.ListMyJobs", "GET", "/v1/jobs/mine")));
    CHECK(table.Find("GET", "/v1/jobs/mine").route->method->name() == "ListMyJobs");
}

TEST_CASE("Route table: variables must name singular scalar fields, nested ones included", "[gateway][unit]") {
    RouteTable table;
    const char* search = "marketplace.jobs.v1.JobsService.SearchJobs";
    CHECK_NOTHROW(table.Add(MakeRoute(search, "GET", "/v1/by-currency/{budget_min.currency}")));
    const auto found = table.Find("GET", "/v1/by-currency/EUR");
    REQUIRE(found.route != nullptr);
    CHECK(found.bindings.at(0).field_path == "budget_min.currency");

    CHECK_THROWS_WITH(table.Add(MakeRoute(search, "GET", "/v1/a/{nope}")), Catch::Contains("names no field"));
    CHECK_THROWS_WITH(table.Add(MakeRoute(search, "GET", "/v1/b/{budget_min}")), Catch::Contains("singular scalar"));
    CHECK_THROWS_WITH(table.Add(MakeRoute(search, "GET", "/v1/c/{stack}")), Catch::Contains("singular scalar"));
    CHECK_THROWS_WITH(table.Add(MakeRoute(search, "GET", "/v1/d/{stack.x}")), Catch::Contains("names no field"));
    CHECK_THROWS_WITH(table.Add(MakeRoute(search, "POST", "/v1/e", "nope")), Catch::Contains("body 'nope'"));
}
