#include <catch2/catch.hpp>

#include <stdexcept>

#include "http/url.hpp"
#include "routing/path_template.hpp"

using namespace marketplace::gateway;

namespace {

std::optional<std::vector<PathTemplate::Binding>> MatchPath(const PathTemplate& t, std::string_view path) {
    return t.Match(SplitPath(path));
}

std::string ValueOf(const std::vector<PathTemplate::Binding>& bindings, const std::string& field) {
    for (const auto& b : bindings) {
        if (b.field_path == field) return b.raw_value;
    }
    return "<unbound>";
}

}  // namespace

TEST_CASE("Path templates: literals, a variable and a verb parse into segments", "[gateway][unit]") {
    const auto t = PathTemplate::Parse("/v1/jobs/{job_id}:close");
    REQUIRE(t.segments().size() == 3);
    CHECK(t.segments()[0].kind == PathTemplate::SegmentKind::kLiteral);
    CHECK(t.segments()[0].literal == "v1");
    CHECK(t.segments()[2].kind == PathTemplate::SegmentKind::kSingle);
    REQUIRE(t.variables().size() == 1);
    CHECK(t.variables()[0].field_path == "job_id");
    CHECK(t.verb() == "close");
    CHECK(t.OpenApiPath() == "/v1/jobs/{job_id}:close");
}

TEST_CASE("Path templates: nested field paths and multi-segment variables", "[gateway][unit]") {
    const auto t = PathTemplate::Parse("/v1/{budget.currency}/files/{name=projects/*/docs/**}");
    REQUIRE(t.variables().size() == 2);
    CHECK(t.variables()[0].field_path == "budget.currency");
    CHECK(t.variables()[1].field_path == "name");
    CHECK(t.OpenApiPath() == "/v1/{budget.currency}/files/{name}");

    const auto m = MatchPath(t, "/v1/EUR/files/projects/p1/docs/a/b.txt");
    REQUIRE(m);
    CHECK(ValueOf(*m, "budget.currency") == "EUR");
    CHECK(ValueOf(*m, "name") == "projects/p1/docs/a/b.txt");
    CHECK_FALSE(MatchPath(t, "/v1/EUR/files/projects/p1/other/a"));
}

TEST_CASE("Path templates: malformed templates are refused with the reason", "[gateway][unit]") {
    CHECK_THROWS_AS(PathTemplate::Parse("v1/jobs"), std::invalid_argument);
    CHECK_THROWS_AS(PathTemplate::Parse("/v1/{job_id"), std::invalid_argument);
    CHECK_THROWS_AS(PathTemplate::Parse("/v1/**/x"), std::invalid_argument);
    CHECK_THROWS_AS(PathTemplate::Parse("/v1/{a}/{a}"), std::invalid_argument);
    CHECK_THROWS_AS(PathTemplate::Parse("/v1/{a={b}}"), std::invalid_argument);
    CHECK_THROWS_AS(PathTemplate::Parse("/v1//jobs"), std::invalid_argument);
    CHECK_THROWS_AS(PathTemplate::Parse("/v1/{1abc}"), std::invalid_argument);
    CHECK_THROWS_AS(PathTemplate::Parse("/v1/jobs:"), std::invalid_argument);
    CHECK_THROWS_WITH(PathTemplate::Parse("/v1/**/x"), Catch::Contains("'**' must be the last segment"));
}

TEST_CASE("Path templates: matching binds raw values and checks every literal", "[gateway][unit]") {
    const auto t = PathTemplate::Parse("/v1/contracts/{contract_id}/reviews");
    const auto m = MatchPath(t, "/v1/contracts/c%201/reviews");
    REQUIRE(m);
    CHECK(ValueOf(*m, "contract_id") == "c%201");  // decoding is the binder's job
    CHECK_FALSE(MatchPath(t, "/v1/contracts/c1"));
    CHECK_FALSE(MatchPath(t, "/v1/contracts/c1/reviews/x"));
    CHECK_FALSE(MatchPath(t, "/v1/contracts//reviews"));  // an empty segment binds nothing
    CHECK_FALSE(MatchPath(t, "/v2/contracts/c1/reviews"));
}

TEST_CASE("Path templates: a verb must end the last segment and is stripped from it", "[gateway][unit]") {
    const auto close = PathTemplate::Parse("/v1/jobs/{job_id}:close");
    const auto m = MatchPath(close, "/v1/jobs/j1:close");
    REQUIRE(m);
    CHECK(ValueOf(*m, "job_id") == "j1");
    CHECK_FALSE(MatchPath(close, "/v1/jobs/j1"));
    CHECK_FALSE(MatchPath(close, "/v1/jobs/j1:open"));
    CHECK_FALSE(MatchPath(close, "/v1/jobs/:close"));

    const auto rotate = PathTemplate::Parse("/v1/auth/signing-keys:rotate");
    CHECK(MatchPath(rotate, "/v1/auth/signing-keys:rotate"));
    CHECK_FALSE(MatchPath(rotate, "/v1/auth/signing-keys"));

    // Without a verb in the template, a colon is part of the value.
    const auto get = PathTemplate::Parse("/v1/jobs/{job_id}");
    const auto g = MatchPath(get, "/v1/jobs/j1:close");
    REQUIRE(g);
    CHECK(ValueOf(*g, "job_id") == "j1:close");
}

TEST_CASE("Path templates: '**' matches any number of trailing segments", "[gateway][unit]") {
    const auto t = PathTemplate::Parse("/files/**");
    CHECK(MatchPath(t, "/files"));
    CHECK(MatchPath(t, "/files/a"));
    CHECK(MatchPath(t, "/files/a/b/c"));
    CHECK_FALSE(MatchPath(t, "/other/a"));
}

TEST_CASE("Path templates: shape and specificity decide conflicts and precedence", "[gateway][unit]") {
    const auto a = PathTemplate::Parse("/v1/jobs/{job_id}");
    const auto b = PathTemplate::Parse("/v1/jobs/{id}");
    const auto literal = PathTemplate::Parse("/v1/jobs/mine");
    const auto verb = PathTemplate::Parse("/v1/jobs/{job_id}:close");
    const auto multi = PathTemplate::Parse("/v1/jobs/**");
    CHECK(a.SameShape(b));  // only the variable's name differs: ambiguous
    CHECK_FALSE(a.SameShape(literal));
    CHECK_FALSE(a.SameShape(verb));
    CHECK(literal.MoreSpecificThan(a));
    CHECK_FALSE(a.MoreSpecificThan(literal));
    CHECK(verb.MoreSpecificThan(literal));
    CHECK(a.MoreSpecificThan(multi));
}
