// The gateway in front of real gRPC servers: transcoding both ways, status mapping, metadata,
// keep-alive, readiness, /openapi.json and the payments webhook.
#include <catch2/catch.hpp>

#include <set>

#include "gateway_fixture.hpp"

using namespace marketplace;
using namespace marketplace::gateway;
using namespace marketplace::gateway::test;
using marketplace::testing::HttpHeaders;

namespace {

const char* kPostJobBody = R"({
  "title": "Billing API",
  "description": "Build it.",
  "stack": ["c++", "postgresql"],
  "budget_min": {"minor_units": "150000", "currency": "EUR"},
  "budgetMax": {"minorUnits": 300000, "currency": "EUR"}
})";

}  // namespace

TEST_CASE("Gateway: a public GET is transcoded to the RPC and its response to JSON", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const auto r = client.Get("/v1/job-templates");
    REQUIRE(r.status == 200);
    CHECK(r.Header("content-type") == "application/json");
    const auto body = r.Json();
    REQUIRE(body["templates"].size() == 2);
    CHECK(body["templates"][0]["template_id"] == "saas-mvp");  // proto field names
    CHECK(body["templates"][0]["milestones"][0]["budget_share_bps"] == 10000);
    CHECK(body["templates"][0]["milestones"][0]["suggested_days"] == 0);  // defaults are printed
    CHECK(f.jobs.calls.Last().method == "ListTemplates");

    const auto one = client.Get("/v1/job-templates/saas-mvp");
    REQUIRE(one.status == 200);
    CHECK(one.Json()["project_template"]["name"] == "SaaS MVP");
    const auto missing = client.Get("/v1/job-templates/nope");
    CHECK(missing.status == 404);
    CHECK(missing.Json()["code"] == "NOT_FOUND");
    CHECK(missing.Json()["message"] == "template 'nope' not found");
}

TEST_CASE("Gateway: a POST body becomes the request; the token and ids go upstream", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const std::string token = f.Bearer(kClientId, "client");
    const auto r = client.Post("/v1/jobs", kPostJobBody,
                               {{"Authorization", token},
                                {"Content-Type", "application/json"},
                                {"Idempotency-Key", "post-job-1"},
                                {"X-Request-Id", "req-abc-123"},
                                {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
    REQUIRE(r.status == 200);
    const auto job = r.Json()["job"];
    CHECK(job["title"] == "Billing API");
    CHECK(job["client_id"] == kClientId);
    CHECK(job["budget_min"]["minor_units"] == "150000");  // int64 as a string, proto3 JSON
    CHECK(job["budget_max"]["minor_units"] == "300000");
    CHECK(job["stack"] == nlohmann::json::array({"c++", "postgresql"}));
    CHECK(job["status"] == "JOB_STATUS_OPEN");
    CHECK(job["created_at"] == "2027-01-15T08:00:00Z");

    const auto seen = f.jobs.calls.Last();
    CHECK(seen.authorization == token);
    CHECK(seen.subject == kClientId);
    CHECK(seen.idempotency_key == "post-job-1");
    CHECK(seen.request_id == "req-abc-123");
    CHECK(seen.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(r.Header("x-request-id") == "req-abc-123");
    CHECK(r.Header("traceparent").rfind("00-4bf92f3577b34da6a3ce929d0e0e4736-", 0) == 0);
    CHECK(r.Header("traceparent") != "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");  // our own span
}

TEST_CASE("Gateway: request ids and traces are made when absent and echoed", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const auto r = client.Get("/v1/job-templates", {{"X-Request-Id", "has spaces in it"}});
    REQUIRE(r.status == 200);
    const auto id = r.Header("x-request-id");
    CHECK(id.size() == 36);  // replaced by a UUID
    CHECK(f.jobs.calls.Last().request_id == id);
    const auto traceparent = r.Header("traceparent");
    REQUIRE(traceparent.size() == 55);
    CHECK(f.jobs.calls.Last().trace_id == traceparent.substr(3, 32));
    // Errors made by the gateway itself carry them too.
    const auto missing = client.Get("/v1/nothing", {{"X-Request-Id", "mine-1"}});
    CHECK(missing.status == 404);
    CHECK(missing.Header("x-request-id") == "mine-1");
}

TEST_CASE("Gateway: query parameters bind to request fields end to end", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const auto r = client.Get(
        "/v1/jobs?query=rust%20api&stack=go&stack=c%2B%2B&budget_min.minor_units=5000&budget_min.currency=USD"
        "&statuses=JOB_STATUS_CLOSED&page_size=7");
    REQUIRE(r.status == 200);
    const auto job = r.Json()["jobs"][0];
    CHECK(job["title"] == "rust api");
    CHECK(job["stack"] == nlohmann::json::array({"go", "c++"}));
    CHECK(job["budget_min"]["minor_units"] == "5000");
    CHECK(job["status"] == "JOB_STATUS_CLOSED");
    CHECK(r.Json()["next_page_token"] == "page-size-7");
    // The service's own validation comes back as 400 naming its field.
    const auto bad = client.Get("/v1/jobs?page_size=500");
    CHECK(bad.status == 400);
    CHECK(bad.Json()["field"] == "page_size");
}

TEST_CASE("Gateway: service errors map to HTTP statuses with the offending field", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const auto client_token = f.Bearer(kClientId, "client");
    const HttpHeaders as_client = {{"Authorization", client_token}, {"Idempotency-Key", "k-1"}};

    const auto empty_title = client.Post("/v1/jobs", R"({"budget_min":{"minor_units":1}})", as_client);
    CHECK(empty_title.status == 400);
    CHECK(empty_title.Json()["code"] == "INVALID_ARGUMENT");
    CHECK(empty_title.Json()["field"] == "title");
    CHECK(empty_title.Json()["message"] == "title: must not be empty");

    const auto freelancer =
        client.Post("/v1/jobs", kPostJobBody,
                    {{"Authorization", f.Bearer(kFreelancerId, "freelancer")}, {"Idempotency-Key", "k-2"}});
    CHECK(freelancer.status == 403);
    CHECK(freelancer.Json()["code"] == "PERMISSION_DENIED");

    const auto bad_id = client.Get("/v1/jobs/not-a-uuid", {{"Authorization", client_token}});
    CHECK(bad_id.status == 400);
    CHECK(bad_id.Json()["field"] == "job_id");
    const auto unknown = client.Get("/v1/jobs/0190a1b2-c3d4-7e5f-8a9b-000000000000", {{"Authorization", client_token}});
    CHECK(unknown.status == 404);
    const auto known = client.Get(std::string("/v1/jobs/") + FakeJobs::kKnownJobId, {{"Authorization", client_token}});
    CHECK(known.status == 200);

    const auto closed = client.Post(std::string("/v1/jobs/") + FakeJobs::kKnownJobId + ":close", "", as_client);
    CHECK(closed.status == 412);
    CHECK(closed.Json()["code"] == "FAILED_PRECONDITION");

    const auto unimplemented = client.Get("/v1/proposals/p1", {{"Authorization", client_token}});
    CHECK(unimplemented.status == 501);
    CHECK(unimplemented.Json()["code"] == "UNIMPLEMENTED");
}

TEST_CASE("Gateway: a service slower than the deadline is 504", "[gateway][e2e]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) { c.upstream_timeout = std::chrono::milliseconds(300); }});
    f.jobs.slow_ms = 3'000;
    auto client = f.Client();
    const auto started = std::chrono::steady_clock::now();
    const auto slow = client.Get("/v1/me/invites", {{"Authorization", f.Bearer(kFreelancerId, "freelancer")}});
    CHECK(slow.status == 504);
    CHECK(slow.Json()["code"] == "DEADLINE_EXCEEDED");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}

TEST_CASE("Gateway: a service that is down is 503, without its address", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    REQUIRE(client.Get("/v1/job-templates").status == 200);
    f.jobs_server->Drain();
    const auto down = client.Get("/v1/job-templates");
    CHECK(down.status == 503);
    CHECK(down.Json()["code"] == "UNAVAILABLE");
    CHECK(down.body.find("127.0.0.1") == std::string::npos);
}

TEST_CASE("Gateway: unknown paths are 404, other methods 405 with Allow", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const auto missing = client.Get("/v1/nothing/here");
    CHECK(missing.status == 404);
    CHECK(missing.Json()["code"] == "NOT_FOUND");
    const auto wrong = client.Request("DELETE", "/v1/jobs");
    CHECK(wrong.status == 405);
    CHECK(wrong.Header("allow").find("GET") != std::string::npos);
    CHECK(wrong.Header("allow").find("POST") != std::string::npos);
    CHECK(client.Request("POST", "/healthz", "").status == 405);
}

TEST_CASE("Gateway: one kept-alive connection serves many requests", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    for (int i = 0; i < 50; ++i) {
        const auto r = i % 2 == 0 ? client.Get("/v1/job-templates") : client.Get("/v1/nothing");
        REQUIRE(r.status == (i % 2 == 0 ? 200 : 404));
    }
    CHECK(client.connections_opened() == 1);
    // Connection: close is honoured.
    const auto closing = client.Get("/healthz", {{"Connection", "close"}});
    CHECK(closing.status == 200);
    CHECK(closing.Header("connection") == "close");
}

TEST_CASE("Gateway: /healthz is up; /readyz needs every upstream's health check", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    CHECK(client.Get("/healthz").status == 200);
    const auto ready = client.Get("/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.Json()["services"]["jobs"] == "SERVING");
    CHECK(ready.Json()["services"]["payments"] == "SERVING");

    f.payments_server->Drain();
    const auto not_ready = client.Get("/readyz");
    CHECK(not_ready.status == 503);
    CHECK(not_ready.Json()["status"] == "not ready");
    CHECK(not_ready.Json()["services"]["jobs"] == "SERVING");
    CHECK(not_ready.Json()["services"]["payments"] != "SERVING");
}

TEST_CASE("Gateway: /openapi.json lists every route the table has", "[gateway][e2e]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) {
        rpc::ChannelOptions unused;
        unused.target = "127.0.0.1:1";
        c.upstreams.push_back({"auth", unused});
        c.upstreams.push_back({"contracts", unused});
    }});
    auto client = f.Client();
    const auto r = client.Get("/openapi.json");
    REQUIRE(r.status == 200);
    const auto doc = r.Json();
    std::size_t checked = 0;
    for (const auto& route : f.gateway->routes().routes()) {
        std::string verb = route.http_method;
        for (auto& ch : verb) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        INFO(route.http_method << " " << route.path.text());
        // A WebSocket route is listed apart from the HTTP operations.
        CHECK(doc[route.server_streaming ? "x-websockets" : "paths"][route.path.OpenApiPath()].contains(verb));
        ++checked;
    }
    CHECK(checked > 40);
    CHECK(doc["paths"].contains("/webhooks/payments/{provider}"));
}

TEST_CASE("Gateway: a provider webhook reaches payments byte for byte with its signature", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    using namespace std::string_literals;
    const std::string body = "{\"id\":\"sbx_deposit_1\",\"amount\":1000}\n\xff\x00 raw"s;  // not even UTF-8
    REQUIRE(body.size() == 43);
    const auto r = client.Post("/webhooks/payments/sandbox", body,
                               {{"X-Signature", "t=1800000000,v1=abcdef"}, {"Content-Type", "application/json"}});
    REQUIRE(r.status == 200);
    CHECK(r.Json()["outcome"] == "WEBHOOK_OUTCOME_APPLIED");
    CHECK(f.payments.last_body() == body);
    CHECK(f.payments.last_signature() == "t=1800000000,v1=abcdef");
    CHECK(f.payments.last_provider() == "sandbox");  // from the path, for payments to check
    CHECK(f.payments.calls.Last().authorization.empty());

    const auto unsigned_hook = client.Post("/webhooks/payments/sandbox", "{}");
    CHECK(unsigned_hook.status == 400);
    CHECK(unsigned_hook.Json()["field"] == "signature");
    CHECK(client.Post("/webhooks/payments/acme", "{}", {{"X-Signature", "t=1,v1=00"}}).status == 404);
    CHECK(client.Get("/webhooks/payments/sandbox").status == 405);
}
