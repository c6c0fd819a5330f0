// Every service's GET /metrics after a fixed-price story: valid Prometheus text, and the counters
// of what the story did moved.
#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "marketplace/testing/http_client.hpp"
#include "marketplace/testing/wait.hpp"
#include "story.hpp"

using namespace marketplace::e2e;
using namespace std::chrono_literals;
namespace cv1 = marketplace::contracts::v1;

namespace {

// The body of GET `url` ("http://127.0.0.1:<port>/metrics"); throws unless the status is 200.
std::string Scrape(const std::string& url) {
    static const std::regex kUrl(R"(http://([0-9.]+):([0-9]+)(/.*))");
    std::smatch m;
    if (!std::regex_match(url, m, kUrl)) throw std::invalid_argument("not a URL this test reads: " + url);
    marketplace::testing::HttpOptions options;
    options.host = m[1].str();
    options.connect_timeout = 5s;
    options.timeout = 5s;
    options.keep_alive = false;
    const auto response =
        marketplace::testing::HttpClient(std::stoi(m[2]), options).Get(m[3].str(), {{"Accept-Encoding", "identity"}});
    if (response.status != 200) {
        throw std::runtime_error("GET " + url + " answered " + std::to_string(response.status) + ": " +
                                 response.body.substr(0, 200));
    }
    return response.body;
}

// Problems with `text` as the Prometheus text exposition format ("" when it is valid).
std::string ExpositionProblems(const std::string& text) {
    static const std::regex kHelp(R"(# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*)");
    static const std::regex kType(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
    static const std::regex kSample(
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? )"
        R"(([-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?[Ii]nf|[Nn][Aa][Nn])( -?[0-9]+)?)");
    std::map<std::string, int> typed;
    std::istringstream in(text);
    std::string line, problems;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty()) continue;
        std::smatch m;
        if (line.rfind("# HELP ", 0) == 0) {
            if (!std::regex_match(line, kHelp)) problems += "line " + std::to_string(number) + ": " + line + "\n";
        } else if (line.rfind("# TYPE ", 0) == 0) {
            if (!std::regex_match(line, m, kType)) {
                problems += "line " + std::to_string(number) + ": " + line + "\n";
            } else if (++typed[m[1]] > 1) {
                problems += "line " + std::to_string(number) + ": a second TYPE for " + m[1].str() + "\n";
            }
        } else if (!std::regex_match(line, kSample)) {
            problems += "line " + std::to_string(number) + ": " + line + "\n";
        }
    }
    return problems;
}

// The sum of the samples of `name` whose labels include every one of `labels`; -1 when there is none.
double Value(const std::string& text, const std::string& name, const std::map<std::string, std::string>& labels) {
    std::istringstream in(text);
    std::string line;
    double sum = 0;
    bool found = false;
    while (std::getline(in, line)) {
        if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
        bool all = true;
        for (const auto& [k, v] : labels) all = all && line.find(k + "=\"" + v + "\"") != std::string::npos;
        if (!all) continue;
        sum += std::stod(line.substr(line.rfind(' ') + 1));
        found = true;
    }
    return found ? sum : -1;
}

}  // namespace

TEST_CASE("E2E metrics: after a fixed-price story every service's /metrics shows what it did", "[e2e][metrics]") {
    auto d = NewDeal(150000, 200000);
    FundAndSubmit(d);
    Ok(Accept(d.client, d.milestone), "accept");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);

    std::map<std::string, std::string> scraped;
    for (const char* service : {"auth", "jobs", "contracts", "payments"}) {
        const std::string text = Scrape(S().MetricsUrl(service));
        INFO("service " << service);
        CHECK(ExpositionProblems(text) == "");
        CHECK(Value(text, "marketplace_outbox_published_total", {{"service", service}}) >= 0);
        CHECK(Value(text, "marketplace_consumer_handled_total", {{"service", service}}) >= 0);
        CHECK(Value(text, "marketplace_dlq_depth", {{"service", service}}) == 0);
        CHECK(Value(text, "marketplace_timers_overdue", {{"service", service}}) == 0);
        CHECK(Value(text, "marketplace_rpc_server_handled_total", {{"service", service}, {"code", "OK"}}) >= 1);
        scraped[service] = text;
    }

    const std::string& contracts = scraped["contracts"];
    const std::string& payments = scraped["payments"];
    INFO("contracts:\n" << contracts << "\npayments:\n" << payments);
    CHECK(Value(contracts, "marketplace_rpc_server_handled_total",
                {{"method", "/marketplace.contracts.v1.ContractsService/FundMilestone"}, {"code", "OK"}}) >= 1);
    CHECK(Value(contracts, "marketplace_rpc_server_duration_seconds_count",
                {{"method", "/marketplace.contracts.v1.ContractsService/FundMilestone"}, {"code", "OK"}}) >= 1);
    // contracts published MilestoneFundingRequested and MilestoneAccepted; payments its Escrow* answers.
    CHECK(Value(contracts, "marketplace_outbox_published_total", {}) >= 2);
    CHECK(Value(payments, "marketplace_outbox_published_total", {}) >= 2);
    CHECK(Value(contracts, "marketplace_outbox_relay_leader", {}) == 1);
    // Each consumes the other's events.
    CHECK(Value(contracts, "marketplace_consumer_handled_total", {}) >= 2);
    CHECK(Value(payments, "marketplace_consumer_handled_total", {}) >= 2);
    // Lag is measured every second once the consumer has its partitions.
    CHECK(marketplace::testing::WaitUntil(
        [] { return Value(Scrape(S().MetricsUrl("payments")), "marketplace_consumer_lag", {}) >= 0; }, 10s, 200ms));
    // The saga's steps, from the milestone's transitions.
    CHECK(Value(contracts, "marketplace_saga_step_duration_seconds_count", {{"step", "fund"}}) >= 1);
    CHECK(Value(contracts, "marketplace_saga_step_duration_seconds_count", {{"step", "release"}}) >= 1);
    // The ledger: EUR balances by account kind, and the transfers of deposit, funding and release.
    CHECK(Value(payments, "marketplace_ledger_balance_minor",
                {{"currency", "EUR"}, {"account_kind", "platform_fees"}}) >= 15000);
    CHECK(Value(payments, "marketplace_ledger_balance_minor",
                {{"currency", "EUR"}, {"account_kind", "milestone_escrow"}}) == 0);
    CHECK(Value(payments, "marketplace_ledger_balance_minor", {{"currency", "EUR"}}) == 0);  // the ledger sums to zero
    CHECK(Value(payments, "marketplace_ledger_transfers_total", {}) >= 4);
}
