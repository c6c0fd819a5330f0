#include <catch2/catch.hpp>

#include "marketplace/core/trace.hpp"

using marketplace::core::TraceContext;

TEST_CASE("Trace: a traceparent parses and round-trips", "[core][trace]") {
    const std::string h = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    auto t = TraceContext::Parse(h);
    REQUIRE(t);
    CHECK(t->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(t->span_id == "00f067aa0ba902b7");
    CHECK(t->sampled);
    CHECK(t->ToTraceparent() == h);
    const auto child = t->Child();
    CHECK(child.trace_id == t->trace_id);
    CHECK(child.span_id != t->span_id);
}

TEST_CASE("Trace: malformed traceparents are refused", "[core][trace]") {
    CHECK_FALSE(TraceContext::Parse(""));
    CHECK_FALSE(TraceContext::Parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
    CHECK_FALSE(TraceContext::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
    CHECK_FALSE(TraceContext::Parse("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    CHECK_FALSE(TraceContext::Parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
    CHECK_FALSE(TraceContext::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"));
    const auto root = TraceContext::NewRoot();
    CHECK(TraceContext::Parse(root.ToTraceparent()));
}
