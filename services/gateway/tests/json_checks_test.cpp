#include <catch2/catch.hpp>

#include "http/request_error.hpp"
#include "http/utf8.hpp"
#include "transcode/json_checks.hpp"

using namespace marketplace::gateway;

TEST_CASE("UTF-8: well-formed text passes, every ill-formed kind is caught", "[gateway][unit]") {
    CHECK(IsValidUtf8("plain ascii"));
    CHECK(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
    CHECK_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong, three bytes
    CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a UTF-16 surrogate
    CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
    CHECK_FALSE(IsValidUtf8("\x80"));              // a lone continuation byte
    CHECK_FALSE(IsValidUtf8("\xFF"));
    CHECK(FirstInvalidUtf8("ab\xFF") == 2);
    CHECK(SanitizeUtf8("a\xFF"
                       "b") ==
          "a\xEF\xBF\xBD"
          "b");
}

TEST_CASE("JSON checks: depth counts arrays and objects, not brackets in strings", "[gateway][unit]") {
    CHECK_NOTHROW(CheckJsonBody(R"({"a":[{"b":[1]}]})", 4));
    CHECK_THROWS_AS(CheckJsonBody(R"({"a":[{"b":[1]}]})", 3), RequestError);
    CHECK_NOTHROW(CheckJsonBody(R"({"a":"[[[[[[{{{{{{"})", 1));
    CHECK_NOTHROW(CheckJsonBody(R"({"a":"\"[[[[["})", 1));
    std::string deep(10'000, '[');
    CHECK_THROWS_WITH(CheckJsonBody(deep, 32, true), Catch::Contains("deeper than 32"));
    std::string alternating;
    for (int i = 0; i < 10'000; ++i) alternating += R"({"a":[)";
    CHECK_THROWS_WITH(CheckJsonBody(alternating, 32), Catch::Contains("deeper than 32"));
}

TEST_CASE("JSON checks: a list inside a list is refused unless the message takes dynamic JSON", "[gateway][unit]") {
    CHECK_THROWS_WITH(CheckJsonBody(R"({"stack":[["go"]]})"), Catch::Contains("list inside a list"));
    CHECK_THROWS_WITH(CheckJsonBody(R"({"stack":["a", ["go"]]})"), Catch::Contains("list inside a list"));
    CHECK_NOTHROW(CheckJsonBody(R"({"stack":["[", "]"], "m":[{"x":[1]}]})"));
    CHECK_NOTHROW(CheckJsonBody(R"({"value":[[1],[2]]})", 32, true));
}

TEST_CASE("JSON checks: invalid UTF-8 names the byte", "[gateway][unit]") {
    try {
        CheckJsonBody("{\"title\":\"ok\xFF\"}");
        FAIL("accepted");
    } catch (const RequestError& e) {
        CHECK(e.status() == bhttp::status::bad_request);
        CHECK_THAT(e.message(), Catch::Contains("byte 12"));
    }
    CHECK(IsBlank(" \r\n\t"));
    CHECK_FALSE(IsBlank(" {} "));
}
