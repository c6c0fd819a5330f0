#include <catch2/catch.hpp>

#include "http/request_error.hpp"
#include "http/url.hpp"

using namespace marketplace::gateway;

TEST_CASE("Targets: path and query are split; fragments and raw spaces are refused", "[gateway][unit]") {
    const auto t = SplitTarget("/v1/jobs?query=rust&page_size=5");
    CHECK(t.path == "/v1/jobs");
    CHECK(t.query == "query=rust&page_size=5");
    CHECK(SplitTarget("/v1/jobs").query.empty());
    CHECK_THROWS_AS(SplitTarget("v1/jobs"), RequestError);
    CHECK_THROWS_AS(SplitTarget("http://evil/v1/jobs"), RequestError);
    CHECK_THROWS_AS(SplitTarget("/v1/jobs#x"), RequestError);
    CHECK_THROWS_AS(SplitTarget("/v1/jo bs"), RequestError);
    CHECK_THROWS_AS(SplitTarget("/v1/jobs\x7f"), RequestError);
}

TEST_CASE("Targets: dot segments are refused however they are encoded", "[gateway][unit]") {
    for (const char* target :
         {"/v1/../admin", "/v1/./jobs", "/v1/jobs/..", "/v1/%2e%2e/admin", "/v1/%2E./x", "/v1/jobs/.%2E:close"}) {
        INFO(target);
        try {
            SplitTarget(target);
            FAIL("accepted");
        } catch (const RequestError& e) {
            CHECK(e.status() == bhttp::status::bad_request);
            CHECK_THAT(e.message(), Catch::Contains(".."));
        }
    }
    CHECK_NOTHROW(SplitTarget("/v1/jobs/..x"));
    CHECK_NOTHROW(SplitTarget("/v1/jobs/a.b"));
}

TEST_CASE("Targets: paths split into raw segments", "[gateway][unit]") {
    CHECK(SplitPath("/").empty());
    CHECK(SplitPath("/a/b") == std::vector<std::string_view>{"a", "b"});
    CHECK(SplitPath("/a/") == std::vector<std::string_view>{"a", ""});
    CHECK(SplitPath("/a//b") == std::vector<std::string_view>{"a", "", "b"});
}

TEST_CASE("Percent-decoding: escapes, plus signs and malformed escapes", "[gateway][unit]") {
    std::string out;
    CHECK(PercentDecode("a%20b%2Fc", out));
    CHECK(out == "a b/c");
    CHECK(PercentDecode("a+b", out));
    CHECK(out == "a+b");
    CHECK(PercentDecode("a+b", out, true));
    CHECK(out == "a b");
    CHECK_FALSE(PercentDecode("%", out));
    CHECK_FALSE(PercentDecode("%4", out));
    CHECK_FALSE(PercentDecode("%zz", out));
    CHECK(PercentDecode("%41", out));
    CHECK(out == "A");
}

TEST_CASE("Query strings: pairs in order, repeated names kept, bad input refused", "[gateway][unit]") {
    const auto params = ParseQuery("stack=c%2B%2B&stack=rust&query=a+b&flag&&x=");
    REQUIRE(params.size() == 5);
    CHECK(params[0] == std::pair<std::string, std::string>{"stack", "c++"});
    CHECK(params[1] == std::pair<std::string, std::string>{"stack", "rust"});
    CHECK(params[2] == std::pair<std::string, std::string>{"query", "a b"});
    CHECK(params[3] == std::pair<std::string, std::string>{"flag", ""});
    CHECK(params[4] == std::pair<std::string, std::string>{"x", ""});
    CHECK(ParseQuery("").empty());
    CHECK_THROWS_AS(ParseQuery("a=%zz"), RequestError);
    CHECK_THROWS_AS(ParseQuery("=1"), RequestError);
    CHECK_THROWS_AS(ParseQuery("a=%ff%fe"), RequestError);
    try {
        ParseQuery("page_size=%ff");
        FAIL("accepted");
    } catch (const RequestError& e) {
        CHECK(e.field() == "page_size");
    }
}
