#include <catch2/catch.hpp>

#include "edge/cors.hpp"

using namespace marketplace::gateway;

namespace {

HttpRequest Preflight(const char* origin, const char* method) {
    HttpRequest request{bhttp::verb::options, "/v1/jobs", 11};
    request.set(bhttp::field::origin, origin);
    request.set(bhttp::field::access_control_request_method, method);
    request.set(bhttp::field::access_control_request_headers, "authorization, content-type");
    return request;
}

}  // namespace

TEST_CASE("CORS: a listed origin's preflight gets the allowed methods and headers", "[gateway][unit]") {
    Cors cors({.allowed_origins = {"https://app.example.com"}});
    const auto request = Preflight("https://app.example.com", "POST");
    REQUIRE(Cors::IsPreflight(request));
    const auto response = cors.Preflight(request);
    CHECK(response.result_int() == 204);
    CHECK(response[bhttp::field::access_control_allow_origin] == "https://app.example.com");
    CHECK(response[bhttp::field::access_control_allow_methods].find("PATCH") != std::string::npos);
    CHECK(response[bhttp::field::access_control_allow_headers].find("Idempotency-Key") != std::string::npos);
    CHECK(response[bhttp::field::access_control_max_age] == "600");
    CHECK(response[bhttp::field::vary] == "Origin");
    CHECK(response.count(bhttp::field::access_control_allow_credentials) == 0);
}

TEST_CASE("CORS: other origins and methods are refused", "[gateway][unit]") {
    Cors cors({.allowed_origins = {"https://app.example.com"}});
    CHECK(cors.Preflight(Preflight("https://evil.example.com", "POST")).result_int() == 403);
    CHECK(cors.Preflight(Preflight("https://app.example.com.evil.com", "GET")).result_int() == 403);
    CHECK(cors.Preflight(Preflight("https://app.example.com", "TRACE")).result_int() == 403);
    CHECK(cors.Preflight(Preflight("https://app.example.com", "ET")).result_int() == 403);
    CHECK(cors.Preflight(Preflight("null", "GET")).result_int() == 403);
}

TEST_CASE("CORS: responses to a listed origin carry the headers, others none", "[gateway][unit]") {
    Cors cors({.allowed_origins = {"https://app.example.com", "http://localhost:3000"}});
    HttpResponse ok{bhttp::status::ok, 11};
    cors.Decorate("http://localhost:3000", ok);
    CHECK(ok[bhttp::field::access_control_allow_origin] == "http://localhost:3000");
    CHECK(ok[bhttp::field::access_control_expose_headers].find("X-Request-Id") != std::string::npos);
    HttpResponse other{bhttp::status::ok, 11};
    cors.Decorate("https://evil.example.com", other);
    CHECK(other.count(bhttp::field::access_control_allow_origin) == 0);
    HttpResponse none{bhttp::status::ok, 11};
    cors.Decorate("", none);
    CHECK(none.count(bhttp::field::access_control_allow_origin) == 0);
}

TEST_CASE("CORS: no configured origin means CORS is off; * allows any", "[gateway][unit]") {
    Cors off({});
    CHECK_FALSE(off.IsAllowedOrigin("https://app.example.com"));
    Cors any({.allowed_origins = {"*"}});
    CHECK(any.IsAllowedOrigin("https://whatever.example"));
    CHECK(any.Preflight(Preflight("https://whatever.example", "GET"))[bhttp::field::access_control_allow_origin] ==
          "*");
    HttpRequest plain{bhttp::verb::options, "/v1/jobs", 11};
    CHECK_FALSE(Cors::IsPreflight(plain));
}
