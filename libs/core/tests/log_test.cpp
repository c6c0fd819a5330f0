#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "marketplace/core/log.hpp"

using namespace marketplace::core;

TEST_CASE("Log: a line is one JSON object carrying the scope's trace and request ids", "[core][log]") {
    log::Init("payments", "info");
    std::string line;
    {
        log::LogScope scope("4bf92f3577b34da6a3ce929d0e0e4736", "req-1");
        line = log::Render(log::Level::kWarn, "escrow \"released\"\n", {{"amount", 1200L}, {"who", "a\tb"}});
    }
    const auto j = nlohmann::json::parse(line);
    CHECK(j["level"] == "warn");
    CHECK(j["service"] == "payments");
    CHECK(j["msg"] == "escrow \"released\"\n");
    CHECK(j["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(j["request_id"] == "req-1");
    CHECK(j["amount"] == 1200);
    CHECK(j["who"] == "a\tb");
    const auto outside = nlohmann::json::parse(log::Render(log::Level::kInfo, "x", {}));
    CHECK_FALSE(outside.contains("trace_id"));
}

TEST_CASE("Log: control characters are escaped", "[core][log]") {
    std::string out;
    log::AppendJsonEscaped(out, std::string("a\x01z", 3));
    CHECK(out == "a\\u0001z");
}
