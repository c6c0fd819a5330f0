// The saga timeline against a real story: the services as processes, the timeline read from their
// messaging tables and their admin reads (with the admin's token), and the marketplace-timeline
// command over the same sources.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "dispute_story.hpp"
#include "marketplace/testing/process.hpp"
#include "marketplace/testing/wait.hpp"
#include "story.hpp"
#include "timeline.hpp"

using namespace marketplace;
using namespace std::chrono_literals;
using namespace e2e;
namespace cv1 = marketplace::contracts::v1;

namespace {

const timeline::Entry* Find(const timeline::Timeline& t, const std::string& service, const std::string& kind,
                            const std::string& type_suffix) {
    for (const auto& e : t.entries) {
        if (e.service != service || e.kind != kind) continue;
        const auto it = e.fields.find("event_type");
        if (it != e.fields.end() && it->second.size() >= type_suffix.size() &&
            it->second.compare(it->second.size() - type_suffix.size(), type_suffix.size(), type_suffix) == 0) {
            return &e;
        }
    }
    return nullptr;
}

std::vector<std::string> States(const timeline::Timeline& t) {
    std::vector<std::string> out;
    for (const auto& e : t.entries) {
        if (e.kind == "state") out.push_back(e.fields.at("to_state"));
    }
    return out;
}

std::int64_t LedgerSum(const timeline::Timeline& t, const std::string& operation_kind) {
    std::int64_t sum = 0;
    for (const auto& e : t.entries) {
        if (e.kind == "ledger" && e.fields.at("operation_kind") == operation_kind) {
            sum += std::stoll(e.fields.at("amount_minor"));
        }
    }
    return sum;
}

std::string Target(const std::string& service) { return "127.0.0.1:" + std::to_string(S().FirstPort(service)); }

// The services' databases (their messaging tables), the services asked for their own records, and
// a fresh token of the admin.
timeline::Sources Sources() {
    S().Relogin(S().Admin());
    timeline::Sources sources;
    sources.databases = S().Databases();
    for (const char* service : {"contracts", "payments", "disputes"}) sources.services[service] = Target(service);
    sources.token = S().Admin().token;
    return sources;
}

}  // namespace

TEST_CASE("Timeline: a paid milestone's story across contracts and payments, in causal order", "[e2e][timeline]") {
    auto d = NewDeal(150000, 200000);
    FundAndSubmit(d);
    Ok(Accept(d.client, d.milestone), "accept");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_PAID);

    const auto sources = Sources();
    timeline::Timeline t;
    // The last events (EscrowReleased consumed by contracts, the relays' records) may land just after
    // the milestone reads paid.
    REQUIRE(testing::WaitUntil(
        [&] {
            t = timeline::Build(sources, d.milestone);
            return Find(t, "contracts", "consumed", ".EscrowReleased") != nullptr &&
                   Find(t, "payments", "published", ".EscrowReleased") != nullptr;
        },
        10s, 100ms));
    INFO(timeline::FormatText(t));
    CHECK(t.contract_id == d.contract.contract_id());
    CHECK(t.notes.empty());

    // Every state the milestone entered, in order.
    CHECK(States(t) ==
          std::vector<std::string>{"funding_required", "funding_pending", "funded", "submitted", "accepted", "paid"});

    // Funding: contracts asks, payments consumes and answers, contracts consumes the answer and moves.
    const auto* asked = Find(t, "contracts", "published", ".MilestoneFundingRequested");
    const auto* took = Find(t, "payments", "consumed", ".MilestoneFundingRequested");
    const auto* funded = Find(t, "payments", "published", ".EscrowFunded");
    const auto* heard = Find(t, "contracts", "consumed", ".EscrowFunded");
    REQUIRE(asked);
    REQUIRE(took);
    REQUIRE(funded);
    REQUIRE(heard);
    CHECK(asked->at_us <= took->at_us);
    CHECK(took->at_us <= funded->at_us);
    CHECK(funded->at_us <= heard->at_us);
    CHECK(took->fields.at("event_id") == asked->fields.at("event_id"));
    CHECK(std::stoll(took->fields.at("lag_ms")) >= 0);
    CHECK(heard->fields.at("event_id") == funded->fields.at("event_id"));

    // Release: the accept is published, consumed, and the escrow released to the freelancer.
    const auto* accepted = Find(t, "contracts", "published", ".MilestoneAccepted");
    const auto* released = Find(t, "payments", "published", ".EscrowReleased");
    REQUIRE(accepted);
    REQUIRE(released);
    CHECK(accepted->at_us <= released->at_us);

    // The ledger legs of the escrow: funding holds the whole amount; the release pays it all out
    // (fee and freelancer), so both operations move 150000 in all.
    CHECK(LedgerSum(t, "escrow_fund") == 150000);
    CHECK(LedgerSum(t, "escrow_release") == 150000);

    // Time order throughout.
    CHECK(std::is_sorted(t.entries.begin(), t.entries.end(),
                         [](const auto& a, const auto& b) { return a.at_us < b.at_us; }));

    // Each event appears once per record, however many times it was delivered.
    std::map<std::pair<std::string, std::string>, int> seen;
    for (const auto& e : t.entries) {
        if (e.kind == "published" || e.kind == "consumed") ++seen[{e.service + "/" + e.kind, e.fields.at("event_id")}];
    }
    for (const auto& [key, n] : seen) CHECK(n == 1);
}

TEST_CASE("Timeline: the command prints the same story, as text and as JSON, and refuses bad ids", "[e2e][timeline]") {
    auto d = NewDeal(50000, 60000);
    Ok(Fund(d.client, d.milestone, MoneyStack::NewKey()), "fund");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_FUNDED);

    const auto sources = Sources();
    std::vector<std::string> args{TIMELINE_BIN, d.milestone};
    for (const auto& [service, conninfo] : sources.databases) {
        args.push_back("--dsn");
        args.push_back(service + "=" + conninfo);
    }
    for (const auto& [service, target] : sources.services) {
        args.push_back("--grpc");
        args.push_back(service + "=" + target);
    }
    const std::map<std::string, std::string> token{{"TIMELINE_TOKEN", sources.token}};
    std::string text;
    REQUIRE(testing::RunToCompletion(args, token, 30s, &text) == 0);
    INFO(text);
    CHECK(text.find("milestone funding_pending -> funded") != std::string::npos);
    CHECK(text.find("published MilestoneFundingRequested (acknowledged by Kafka after") != std::string::npos);
    CHECK(text.find("escrow_fund leg 0: 500.00 EUR") != std::string::npos);

    args.push_back("--json");
    std::string json;
    REQUIRE(testing::RunToCompletion(args, token, 30s, &json) == 0);
    const auto doc = nlohmann::json::parse(json);
    CHECK(doc.at("milestone_id") == d.milestone);
    CHECK(doc.at("entries").size() >= 6);

    // Only contracts is named: the others are the local stack's, with its development passwords.
    const std::map<std::string, std::string> dev{{"MARKETPLACE_DEV_MODE", "1"}, {"TIMELINE_TOKEN", sources.token}};
    std::string refused;
    CHECK(testing::RunToCompletion({TIMELINE_BIN, "not-a-uuid", "--dsn", "contracts=" + S().Databases().at("contracts"),
                                    "--grpc", "contracts=" + Target("contracts")},
                                   dev, 30s, &refused) == 64);
    CHECK(refused.find("milestone_id") != std::string::npos);
    CHECK(testing::RunToCompletion(
              {TIMELINE_BIN, "00000000-0000-4000-8000-000000000000", "--dsn",
               "contracts=" + S().Databases().at("contracts"), "--grpc", "contracts=" + Target("contracts")},
              dev, 30s, &refused) == 1);
    CHECK(refused.find("not in the contracts database") != std::string::npos);
}

TEST_CASE("Timeline: a disputed milestone shows the dispute's steps and its settlement's ledger legs",
          "[e2e][timeline][disputes]") {
    Deal d = NewDeal(50000, 50000);
    FundAndSubmit(d);
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_SUBMITTED);
    dv1::Dispute opened;
    Ok(OpenDispute(d.freelancer, d.milestone, 50000, &opened), "open");
    WaitStage(d.freelancer, opened.dispute_id(), dv1::STAGE_RESPONSE);
    Ok(Respond(d.client, opened.dispute_id(), dv1::ANSWER_COUNTER, 4000), "counter");
    Ok(AcceptOffer(d.freelancer, opened.dispute_id(), 4000), "accept");
    WaitState(d.client, d.milestone, cv1::MILESTONE_STATE_SPLIT_PAID);
    WaitSettled(d.client, opened.dispute_id());

    const auto t = timeline::Build(Sources(), d.milestone);
    std::vector<std::string> steps;
    int settlement_legs = 0;
    for (const auto& e : t.entries) {
        if (e.kind == "dispute") steps.push_back(e.fields.at("step"));
        if (e.kind == "ledger" && e.fields.at("operation_kind") == "dispute_settlement") ++settlement_legs;
    }
    INFO(timeline::FormatText(t));
    // opened, confirmed (held by contracts), answered (the counter), resolved, settled: in that order.
    REQUIRE(steps.size() >= 5);
    CHECK(steps.front() == "opened");
    CHECK(std::find(steps.begin(), steps.end(), "confirmed") < std::find(steps.begin(), steps.end(), "resolved"));
    CHECK(steps.back() == "settled");
    CHECK(settlement_legs == 3);  // the fee, the freelancer's part, the client's refund
    CHECK(Find(t, "disputes", "published", "DisputeResolved") != nullptr);
    CHECK(Find(t, "payments", "consumed", "DisputeResolved") != nullptr);
    CHECK(Find(t, "contracts", "consumed", "EscrowSettled") != nullptr);
}
