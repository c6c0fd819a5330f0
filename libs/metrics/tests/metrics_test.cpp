#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>

#include "marketplace/core/config.hpp"
#include "marketplace/metrics/endpoint.hpp"
#include "marketplace/metrics/metrics.hpp"
#include "marketplace/testing/http_client.hpp"

namespace metrics = marketplace::metrics;
using marketplace::core::ConfigError;
using marketplace::core::EnvReader;

namespace {

EnvReader::Lookup From(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

// GET `path` from 127.0.0.1:`port`; the whole response (status line, headers, body).
std::string HttpGet(int port, const std::string& path) {
    marketplace::testing::HttpConnection connection(port);
    connection.Send(marketplace::testing::RequestText("GET", path, "", {{"Connection", "close"}}));
    return connection.ReadUntilClosed(std::chrono::seconds(5));
}

}  // namespace

TEST_CASE("Metrics config: METRICS_LISTEN takes host:port, off, or the service's default", "[metrics][config]") {
    {
        EnvReader env("", From({}));
        CHECK(metrics::EndpointConfig::FromEnv(env, "127.0.0.1:9103").listen == "127.0.0.1:9103");
        CHECK_NOTHROW(env.Finish());
    }
    {
        EnvReader env("", From({{"METRICS_LISTEN", "0.0.0.0:9200"}}));
        CHECK(metrics::EndpointConfig::FromEnv(env, "127.0.0.1:9103").listen == "0.0.0.0:9200");
        CHECK_NOTHROW(env.Finish());
    }
    {
        EnvReader env("", From({{"METRICS_LISTEN", "off"}}));
        CHECK(metrics::EndpointConfig::FromEnv(env, "127.0.0.1:9103").listen.empty());
        CHECK_NOTHROW(env.Finish());
    }
    CHECK(metrics::ListenProblem("[::1]:9100").empty());
    CHECK(metrics::ListenProblem("metrics.internal:0").empty());
}

TEST_CASE("Metrics config: a malformed METRICS_LISTEN is a configuration error naming it", "[metrics][config]") {
    for (const std::string bad : {"9100", ":9100", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:91a0", "a b:9100"}) {
        EnvReader env("", From({{"METRICS_LISTEN", bad}}));
        metrics::EndpointConfig::FromEnv(env, "127.0.0.1:9103");
        try {
            env.Finish();
            FAIL("accepted METRICS_LISTEN=" << bad);
        } catch (const ConfigError& e) {
            REQUIRE(e.problems().size() == 1);
            CHECK(e.problems()[0].rfind("METRICS_LISTEN: ", 0) == 0);
            CHECK(e.problems()[0].find("'" + bad + "'") != std::string::npos);
        }
    }
}

TEST_CASE("Metrics: families and collectors appear in the exposition with the service label", "[metrics]") {
    metrics::SetService("testsvc");
    const metrics::CounterFamily counter("marketplace_test_events_total", "Events seen by the test.");
    const metrics::GaugeFamily gauge("marketplace_test_level", "A level.");
    const metrics::HistogramFamily histogram("marketplace_test_duration_seconds", "Durations.",
                                             metrics::LatencyBuckets());
    counter.Increment({{"kind", "a"}});
    counter.Increment({{"kind", "a"}}, 2);
    gauge.Set({}, 7);
    histogram.Observe({{"step", "x"}}, 0.02);
    histogram.Observe({{"step", "x"}}, 3);

    // The same name gives the same family.
    metrics::CounterFamily("marketplace_test_events_total", "Events seen by the test.").Increment({{"kind", "a"}});

    auto registration = metrics::AddCollector([] {
        return std::vector<metrics::Family>{
            {"marketplace_test_computed", "Computed at scrape.", metrics::Type::kGauge, {{{{"topic", "t"}}, 42}}},
            {"marketplace_test_computed_total", "A counter kept elsewhere.", metrics::Type::kCounter, {{{}, 5}}}};
    });
    const std::string text = metrics::Render();
    CHECK(text.find("# TYPE marketplace_test_events_total counter") != std::string::npos);
    CHECK(text.find("marketplace_test_events_total{kind=\"a\",service=\"testsvc\"} 4") != std::string::npos);
    CHECK(text.find("marketplace_test_level{service=\"testsvc\"} 7") != std::string::npos);
    CHECK(text.find("marketplace_test_duration_seconds_count{service=\"testsvc\",step=\"x\"} 2") != std::string::npos);
    CHECK(text.find("marketplace_test_duration_seconds_bucket{service=\"testsvc\",step=\"x\",le=\"0.025\"} 1") !=
          std::string::npos);
    CHECK(text.find("# TYPE marketplace_test_computed gauge") != std::string::npos);
    CHECK(text.find("marketplace_test_computed{service=\"testsvc\",topic=\"t\"} 42") != std::string::npos);
    CHECK(text.find("marketplace_test_computed_total{service=\"testsvc\"} 5") != std::string::npos);

    registration.Reset();
    CHECK(metrics::Render().find("marketplace_test_computed") == std::string::npos);
}

TEST_CASE("Metrics: a failing collector leaves the rest of the scrape intact", "[metrics]") {
    metrics::SetService("testsvc");
    auto failing = metrics::AddCollector([]() -> std::vector<metrics::Family> { throw std::runtime_error("db down"); });
    auto fine = metrics::AddCollector([] {
        return std::vector<metrics::Family>{{"marketplace_test_ok", "ok", metrics::Type::kGauge, {{{}, 1}}}};
    });
    CHECK(metrics::Render().find("marketplace_test_ok{service=\"testsvc\"} 1") != std::string::npos);
}

TEST_CASE("Metrics endpoint: GET /metrics over HTTP serves the exposition", "[metrics][http]") {
    metrics::SetService("testsvc");
    metrics::CounterFamily("marketplace_test_http_total", "Served over HTTP.").Increment();
    metrics::Endpoint endpoint("127.0.0.1:0");
    REQUIRE(endpoint.port() > 0);
    const std::string response = HttpGet(endpoint.port(), "/metrics");
    CHECK(response.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(response.find("text/plain") != std::string::npos);
    CHECK(response.find("marketplace_test_http_total{service=\"testsvc\"} 1") != std::string::npos);

    SECTION("a second endpoint on the same port fails, naming METRICS_LISTEN") {
        const std::string taken = "127.0.0.1:" + std::to_string(endpoint.port());
        try {
            metrics::Endpoint second(taken);
            FAIL("bound " << taken << " twice");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()).rfind("METRICS_LISTEN: cannot listen on " + taken, 0) == 0);
        }
    }
}
