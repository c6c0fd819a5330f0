#include <catch2/catch.hpp>

#include <string>

#include "marketplace/core/trace.hpp"
#include "marketplace/rpc/auth.hpp"
#include "marketplace/rpc/call_scope.hpp"

using namespace marketplace;

TEST_CASE("Auth: a bearer token is read from the authorization value, scheme in any case", "[rpc][auth]") {
    CHECK(rpc::BearerToken("Bearer abc.def.ghi") == std::optional<std::string_view>("abc.def.ghi"));
    CHECK(rpc::BearerToken("bearer abc") == std::optional<std::string_view>("abc"));
    CHECK(rpc::BearerToken("BEARER   abc") == std::optional<std::string_view>("abc"));
    CHECK_FALSE(rpc::BearerToken("Basic dXNlcjpwYXNz"));
    CHECK_FALSE(rpc::BearerToken("Bearer "));
    CHECK_FALSE(rpc::BearerToken("Bearer    "));
    CHECK_FALSE(rpc::BearerToken(""));
    CHECK_FALSE(rpc::BearerToken("abc"));
}

TEST_CASE("Call scope: request ids are printable, space-free and at most 128 characters", "[rpc][call]") {
    CHECK(rpc::IsAcceptableRequestId("0193a1f2-7c55-7d1e-b6a8-3f1f2c9e4a10"));
    CHECK(rpc::IsAcceptableRequestId("req-1"));
    CHECK(rpc::IsAcceptableRequestId(std::string(128, 'a')));
    CHECK_FALSE(rpc::IsAcceptableRequestId(std::string(129, 'a')));
    CHECK_FALSE(rpc::IsAcceptableRequestId(""));
    CHECK_FALSE(rpc::IsAcceptableRequestId("has space"));
    CHECK_FALSE(rpc::IsAcceptableRequestId("line\nbreak"));
    CHECK_FALSE(rpc::IsAcceptableRequestId("caf\xc3\xa9"));
}

TEST_CASE("Call scope: trace scopes nest and restore the outer trace", "[rpc][call]") {
    CHECK(rpc::CurrentTrace() == nullptr);
    const auto outer = core::TraceContext::NewRoot();
    {
        rpc::TraceScope outer_scope(outer);
        REQUIRE(rpc::CurrentTrace() != nullptr);
        CHECK(rpc::CurrentTrace()->span_id == outer.span_id);
        const auto inner = outer.Child();
        {
            rpc::TraceScope inner_scope(inner);
            CHECK(rpc::CurrentTrace()->span_id == inner.span_id);
            CHECK(rpc::CurrentTrace()->trace_id == outer.trace_id);
        }
        CHECK(rpc::CurrentTrace()->span_id == outer.span_id);
    }
    CHECK(rpc::CurrentTrace() == nullptr);
}
