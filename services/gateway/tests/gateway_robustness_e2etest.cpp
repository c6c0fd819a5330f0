// Hostile and broken input through the whole HTTP path: always a 4xx with a clear JSON error,
// never a crash, never a 5xx.
#include <catch2/catch.hpp>

#include <thread>

#include "gateway_fixture.hpp"

using namespace marketplace;
using namespace marketplace::gateway;
using namespace marketplace::gateway::test;
using marketplace::testing::HttpConnection;
using marketplace::testing::HttpHeaders;
using marketplace::testing::RequestText;
using namespace std::chrono_literals;

namespace {

void CheckClientError(const testing::HttpResponse& r, int status, const std::string& says,
                      const std::string& field = "*") {
    INFO(r.status << " " << r.body);
    CHECK(r.status == status);
    const auto body = r.Json();
    CHECK(body["code"].is_string());
    CHECK_THAT(body["message"].get<std::string>(), Catch::Contains(says));
    if (field != "*") CHECK(body["field"] == field);
}

}  // namespace

TEST_CASE("Robustness: malformed JSON, wrong types, unknown fields are 400 naming the field", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const HttpHeaders auth = {{"Authorization", f.Bearer(kClientId, "client")}, {"Idempotency-Key", "k"}};
    CheckClientError(client.Post("/v1/jobs", R"({"title": "x",)", auth), 400, "malformed JSON", "");
    CheckClientError(client.Post("/v1/jobs", R"({"title": ["x"]})", auth), 400, "title", "title");
    CheckClientError(client.Post("/v1/jobs", R"({"title": "x", "admin": true})", auth), 400, "unknown field", "admin");
    CheckClientError(client.Post("/v1/jobs", R"({"budget_min": {"minor_units": "12abc"}})", auth), 400, "int64",
                     "budget_min.minor_units");
    CheckClientError(client.Post("/v1/jobs", R"("just a string")", auth), 400, "object", "");
    CheckClientError(
        client.Post("/v1/jobs", "title=x", {{"Authorization", auth[0].second}, {"Content-Type", "text/plain"}}), 415,
        "application/json", "");
    CHECK(f.jobs.calls.size() == 0);  // none of it reached the service
}

TEST_CASE("Robustness: integers past int64 are 400, not wrapped", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const HttpHeaders auth = {{"Authorization", f.Bearer(kClientId, "client")}, {"Idempotency-Key", "k"}};
    for (const char* amount : {"9223372036854775808", "\"9223372036854775808\"", "-9223372036854775809", "1e19",
                               "99999999999999999999999999999"}) {
        INFO(amount);
        const auto r =
            client.Post("/v1/jobs", std::string(R"({"title":"t","budget_min":{"minor_units":)") + amount + "}}", auth);
        CheckClientError(r, 400, "minor_units", "budget_min.minor_units");
    }
    CheckClientError(client.Get("/v1/jobs?budget_min.minor_units=9223372036854775808"), 400, "int64",
                     "budget_min.minor_units");
    // The largest int64 itself goes through.
    const auto max =
        client.Post("/v1/jobs", R"({"title":"t","budget_min":{"minor_units":"9223372036854775807"}})", auth);
    CHECK(max.status == 200);
    CHECK(max.Json()["job"]["budget_min"]["minor_units"] == "9223372036854775807");
}

TEST_CASE("Robustness: invalid UTF-8 and deep nesting are refused before parsing", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const HttpHeaders auth = {{"Authorization", f.Bearer(kClientId, "client")}, {"Idempotency-Key", "k"}};
    CheckClientError(client.Post("/v1/jobs", "{\"title\":\"\xc3\x28\"}", auth), 400, "UTF-8");
    CheckClientError(client.Post("/v1/jobs", "{\"title\":\"\xed\xa0\x80\"}", auth), 400, "UTF-8");
    std::string deep;
    for (int i = 0; i < 100'000; ++i) deep += R"({"a":[)";  // 600 kB of nesting
    CheckClientError(client.Post("/v1/jobs", deep, auth), 400, "nests deeper");
    CheckClientError(client.Post("/v1/jobs", std::string(100'000, '['), auth), 400, "list inside a list");
    std::string objects;
    for (int i = 0; i < 50; ++i) objects += R"({"budget_min":)";
    CheckClientError(client.Post("/v1/jobs", objects, auth), 400, "nests deeper");
    // Invalid UTF-8 in a query value or a path variable, too.
    CheckClientError(client.Get("/v1/jobs?query=%ff"), 400, "UTF-8", "query");
    CheckClientError(client.Get("/v1/job-templates/%c3%28"), 400, "UTF-8", "template_id");
}

TEST_CASE("Robustness: path traversal in variables is refused", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const HttpHeaders auth = {{"Authorization", f.Bearer(kClientId, "client")}};
    for (const char* path : {"/v1/job-templates/..%2F..%2Fadmin", "/v1/job-templates/%2e%2e", "/v1/job-templates/..",
                             "/v1/jobs/../admin/ledger/audit", "/v1/job-templates/a%2Fb",
                             "/v1/job-templates/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/v1/job-templates/%00"}) {
        INFO(path);
        const auto r = client.Get(path, auth);
        INFO(r.body);
        CHECK(r.status == 400);
        const auto body = r.Json();
        CHECK(body["code"] == "INVALID_ARGUMENT");
        // Named: the whole path ("'..' segments") or the variable the value was meant for.
        const std::string field = body["field"].get<std::string>();
        CHECK((field == "path" || field == "template_id" || field == "job_id"));
        CHECK_THAT(body["message"].get<std::string>(), Catch::Contains(field));
    }
    CHECK(f.jobs.calls.size() == 0);
}

TEST_CASE("Robustness: a body over the limit is 413, even before it is sent", "[gateway][e2e]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) { c.http.limits.max_body_bytes = 64 * 1024; }});
    const HttpHeaders auth = {{"Authorization", f.Bearer(kClientId, "client")}, {"Idempotency-Key", "k"}};
    auto client = f.Client();
    const std::string big = R"({"title":")" + std::string(70 * 1024, 'x') + "\"}";
    const auto r = client.Post("/v1/jobs", big, auth);
    CheckClientError(r, 413, "65536");
    CHECK(r.Header("connection") == "close");

    // Announced by Content-Length alone: answered without waiting for the body.
    HttpConnection announced(f.port);
    announced.Send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n{");
    CHECK(announced.ReadResponse(2s).status == 413);

    // Chunked, growing past the limit.
    HttpConnection chunked(f.port);
    std::string request = "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 80; ++i) request += "400\r\n" + std::string(1024, 'a') + "\r\n";
    request += "0\r\n\r\n";
    chunked.Send(request);
    CHECK(chunked.ReadResponse(2s).status == 413);

    // Just under the limit is fine.
    const std::string fits = R"({"title":")" + std::string(60 * 1024, 'x') + R"(","budget_min":{"minor_units":1}})";
    CHECK(client.Post("/v1/jobs", fits, auth).status == 200);
}

TEST_CASE("Robustness: Expect: 100-continue is answered before the body is sent", "[gateway][e2e]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) { c.http.limits.max_body_bytes = 4096; }});
    const std::string body = R"({"title":"t","budget_min":{"minor_units":1}})";
    HttpConnection c(f.port);
    c.Send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: " + f.Bearer(kClientId, "client") +
           "\r\nIdempotency-Key: k\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n");
    REQUIRE(c.WaitFor("HTTP/1.1 100 Continue\r\n\r\n", 2s));
    c.Send(body);
    CHECK(c.ReadResponse(2s).status == 200);
    // Too large: refused at once, no 100.
    HttpConnection big(f.port);
    big.Send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
    CHECK(big.ReadResponse(2s).status == 413);
}

TEST_CASE("Robustness: huge headers are 431 and malformed requests 400", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const auto huge = client.Get("/healthz", {{"X-Padding", std::string(64 * 1024, 'p')}});
    CheckClientError(huge, 431, "headers");
    const auto many = [] {
        HttpHeaders h;
        for (int i = 0; i < 2'000; ++i) h.emplace_back("X-H" + std::to_string(i), "value");
        return h;
    }();
    CheckClientError(client.Get("/healthz", many), 431, "headers");

    // Whatever is broken, the answer is a JSON error with a message.
    for (const char* raw : {"THIS IS NOT HTTP\r\n\r\n", "GET /healthz HTTX/1.1\r\n\r\n",
                            "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                            "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                            "GET /v1/job-templates\x01 HTTP/1.1\r\nHost: x\r\n\r\n"}) {
        INFO(raw);
        HttpConnection c(f.port);
        c.Send(raw);
        const auto r = c.ReadResponse(2s);
        INFO(r.body);
        CHECK(r.status == 400);
        CHECK_FALSE(r.Json()["message"].get<std::string>().empty());
    }
    HttpConnection absolute(f.port);
    absolute.Send("GET http://evil.example/v1/job-templates HTTP/1.1\r\nHost: x\r\n\r\n");
    CheckClientError(absolute.ReadResponse(2s), 400, "absolute path", "path");
}

TEST_CASE("Robustness: a slow client gets 408, an idle one is closed", "[gateway][e2e]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) {
        c.http.limits.request_timeout = 300ms;
        c.http.limits.idle_timeout = 400ms;
    }});
    HttpConnection slow(f.port);
    slow.Send("GET /v1/job-templates HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    std::this_thread::sleep_for(150ms);
    slow.Send("a");  // trickling does not reset the request's deadline
    const auto r = slow.ReadResponse(2s);
    CheckClientError(r, 408, "did not arrive within 300 ms");
    CHECK(r.Json()["code"] == "REQUEST_TIMEOUT");

    HttpConnection idle(f.port);
    CHECK(idle.ClosedWithin(2s));

    // A kept-alive connection is closed after the idle timeout, not before.
    HttpConnection kept(f.port);
    kept.Send(RequestText("GET", "/healthz", "", {}));
    CHECK(kept.ReadResponse(1s).status == 200);
    CHECK_FALSE(kept.ClosedWithin(200ms));
    CHECK(kept.ClosedWithin(2s));
}

TEST_CASE("Robustness: thousands of bad requests leave the gateway serving, with no 5xx", "[gateway][e2e]") {
    GatewayFixture f;
    auto client = f.Client();
    const HttpHeaders auth = {{"Authorization", f.Bearer(kClientId, "client")}, {"Idempotency-Key", "k"}};
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"/v1/jobs", "{"},
        {"/v1/jobs", R"({"title":1})"},
        {"/v1/jobs", R"({"nope":1})"},
        {"/v1/jobs", "{\"title\":\"\xff\"}"},
        {"/v1/jobs", R"({"budget_min":{"minor_units":1e400}})"},
        {"/v1/jobs", R"({"budget_min":{"minor_units":"NaN"}})"},
        {"/v1/jobs", R"({"stack":[[[[[]]]]]})"},
        {"/v1/jobs", "\x01\x02\x03"},
        {"/v1/jobs/%2e%2e:close", "{}"},
        {"/v1/job-templates/x", "{}"},
    };
    int five_hundreds = 0;
    for (int i = 0; i < 3'000; ++i) {
        const auto& [path, body] = bad[static_cast<std::size_t>(i) % bad.size()];
        const auto r = client.Post(path, body, auth);
        if (r.status >= 500) ++five_hundreds;
        REQUIRE(r.status >= 400);
    }
    CHECK(five_hundreds == 0);
    CHECK(client.Get("/v1/job-templates").status == 200);
    CHECK(f.jobs.calls.size() == 1);
}
