// The money path end to end through the HTTP/JSON gateway only, the way curl would drive it: the
// four services and the gateway as processes, driven by the HTTP story (http_story.hpp). MoneyStack
// is used only to start the processes (and for the seeded admin's credentials); every request of the
// stories below goes over HTTP.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "http_story.hpp"
#include "marketplace/testing/wait.hpp"
#include "money_stack.hpp"

using namespace std::chrono_literals;
using namespace marketplace::e2e::http;
using marketplace::e2e::MoneyStack;

namespace {

void RequireHealthyLedger() {
    const auto audit = LedgerAudit();
    INFO(audit.dump());
    CHECK(audit.value("violations", json::array()).empty());
    REQUIRE(audit.at("healthy").get<bool>());
}

}  // namespace

TEST_CASE("HTTP: the gateway is ready and serves its own endpoints", "[e2e][http]") {
    auto& stack = MoneyStack::Get();
    const std::string base = stack.gateway_base_url();
    CHECK(base.rfind("http://127.0.0.1:", 0) == 0);
    CHECK(Send(Request{"GET", "/readyz", "", {}, {}, {}}).status == 200);
    CHECK(Send(Request{"GET", "/healthz", "", {}, {}, {}}).status == 200);
    const auto spec = Send(Request{"GET", "/openapi.json", "", {}, {}, {}});
    REQUIRE(spec.status == 200);
    CHECK(spec.Header("content-type").find("application/json") != std::string::npos);
    CHECK(spec.Json().contains("paths"));
}

TEST_CASE("HTTP: fixed price money path: fund, submit, accept, paid with a 10% fee, healthy ledger", "[e2e][http]") {
    constexpr std::int64_t kAmount = 150000;
    auto d = NewHttpDeal(kAmount, 200000);
    CHECK(Available(d.client) == 200000);

    Post(d.client.token, "/v1/milestones/" + d.milestone_id + ":fund", json::object());
    WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_FUNDED");
    CHECK(Available(d.client) == 200000 - kAmount);
    CHECK(InEscrow(d.client) == kAmount);
    const auto escrow = Get(d.client.token, "/v1/escrows/" + d.milestone_id);
    INFO(escrow.dump());

    Post(
        d.freelancer.token, "/v1/milestones/" + d.milestone_id + ":submit",
        json{{"note", "Deployed to staging; see the links."}, {"links", json::array({"https://staging.example.com"})}});
    WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_SUBMITTED");
    Post(d.client.token, "/v1/milestones/" + d.milestone_id + ":accept", json::object());
    WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_PAID");

    // The freelancer got 90%; nothing stays in escrow.
    const bool credited =
        marketplace::testing::WaitUntil([&] { return Available(d.freelancer) == kAmount * 9 / 10; }, 15s, 100ms);
    INFO("freelancer balance: " << Balance(d.freelancer).dump());
    REQUIRE(credited);
    CHECK(InEscrow(d.client) == 0);
    CHECK(Available(d.client) == 200000 - kAmount);
    // The milestone as the freelancer sees it, too.
    CHECK(MilestoneState(d.freelancer, d.milestone_id) == "MILESTONE_STATE_PAID");
    RequireHealthyLedger();
}

TEST_CASE("HTTP: every route of /openapi.json answers a well-formed request without a 5xx", "[e2e][http]") {
    auto d = NewHttpDeal(60000, 100000);
    const auto admin = AdminUser();
    const auto spec = Expect(200, Request{"GET", "/openapi.json", "", {}, {}, {}});
    REQUIRE(spec.contains("paths"));

    // Real ids where this test has them, syntactically valid UUIDs otherwise.
    const std::map<std::string, std::string> ids{{"job_id", d.job_id},           {"proposal_id", d.proposal_id},
                                                 {"contract_id", d.contract_id}, {"milestone_id", d.milestone_id},
                                                 {"user_id", d.freelancer.id},   {"reviewee_id", d.freelancer.id},
                                                 {"template_id", d.template_id}, {"deposit_id", NewUuid()},
                                                 {"payout_id", NewUuid()},       {"provider", "sandbox"}};
    const std::set<std::string> methods{"get", "post", "put", "patch", "delete"};

    struct Walked {
        std::string method, path, sent_path;
        int status;
        std::string body;
    };
    std::vector<Walked> walked;
    // Writes that would end the deal or the session are walked last, so the reads see live ids.
    std::vector<std::pair<std::string, std::string>> routes;
    for (const auto& [path, ops] : spec.at("paths").items()) {
        for (const auto& [method, _] : ops.items()) {
            if (methods.count(Lower(method)) > 0) routes.emplace_back(Lower(method), path);
        }
    }
    std::stable_partition(routes.begin(), routes.end(), [](const auto& r) { return r.first == "get"; });
    REQUIRE(routes.size() >= 40);

    for (const auto& [method, path] : routes) {
        std::string sent;
        for (std::size_t i = 0; i < path.size();) {
            if (path[i] != '{') {
                sent += path[i++];
                continue;
            }
            const auto close = path.find('}', i);
            REQUIRE(close != std::string::npos);
            std::string name = path.substr(i + 1, close - i - 1);
            name = name.substr(0, name.find('='));
            const auto dot = name.rfind('.');
            if (dot != std::string::npos) name = name.substr(dot + 1);
            const auto it = ids.find(name);
            sent += it != ids.end() ? it->second : NewUuid();
            i = close + 1;
        }
        Request r{
            Upper(method), sent, sent.find("/admin/") != std::string::npos ? admin.token : d.client.token, {}, {}, {}};
        if (method != "get" && method != "delete") {
            r.body = "{}";
            r.idempotency_key = NewUuid();
        }
        const auto resp = Send(r);
        walked.push_back(Walked{r.method, path, sent, resp.status, resp.body});
    }

    std::cout << "Routes walked from /openapi.json (" << walked.size() << "):\n";
    for (const auto& w : walked) {
        std::string message;
        if (w.status >= 300) {
            try {
                message = json::parse(w.body).value("message", "");
            } catch (const std::exception&) {
                message = w.body;
            }
            if (message.size() > 110) message = message.substr(0, 110) + "...";
        }
        std::cout << "  " << w.status << "  " << w.method << " " << w.path << (message.empty() ? "" : "  -- ")
                  << message << "\n";
    }
    std::cout.flush();
    for (const auto& w : walked) {
        INFO(w.method << " " << w.sent_path << " -> " << w.status << " " << w.body << "\n"
                      << MoneyStack::Get().GatewayLogs());
        CHECK(w.status < 500);
        CHECK(w.status >= 200);
    }
}

TEST_CASE("HTTP: negative cases: no token, another user's milestone, malformed JSON", "[e2e][http]") {
    auto d = NewHttpDeal(40000, 0);
    const auto stranger = RegisterUser("ROLE_CLIENT", "stranger");

    SECTION("no token -> 401") {
        for (const auto& path :
             std::vector<std::string>{"/v1/wallet/balances", "/v1/contracts", "/v1/milestones/" + d.milestone_id}) {
            const Request r{"GET", path, "", {}, {}, {}};
            const auto resp = Send(r);
            INFO(Describe(r, resp));
            CHECK(resp.status == 401);
            CHECK(resp.Json().value("code", "") == "UNAUTHENTICATED");
        }
        const Request fund{"POST", "/v1/milestones/" + d.milestone_id + ":fund", "", "{}", NewUuid(), {}};
        const auto resp = Send(fund);
        INFO(Describe(fund, resp));
        CHECK(resp.status == 401);
        // A token that is not a token is no better than none.
        const Request forged{"GET", "/v1/wallet/balances", "not.a.jwt", {}, {}, {}};
        CHECK(Send(forged).status == 401);
    }

    SECTION("another user's milestone -> 403 or 404, and nothing moves") {
        const Request read{"GET", "/v1/milestones/" + d.milestone_id, stranger.token, {}, {}, {}};
        const auto r1 = Send(read);
        INFO(Describe(read, r1));
        CHECK((r1.status == 403 || r1.status == 404));
        const Request fund{"POST", "/v1/milestones/" + d.milestone_id + ":fund", stranger.token, "{}", NewUuid(), {}};
        const auto r2 = Send(fund);
        INFO(Describe(fund, r2));
        CHECK((r2.status == 403 || r2.status == 404));
        const Request sow{"GET", "/v1/contracts/" + d.contract_id + "/statement-of-work", stranger.token, {}, {}, {}};
        const auto r3 = Send(sow);
        INFO(Describe(sow, r3));
        CHECK((r3.status == 403 || r3.status == 404));
        // The freelancer of the deal cannot fund the client's milestone either.
        const Request by_freelancer{
            "POST", "/v1/milestones/" + d.milestone_id + ":fund", d.freelancer.token, "{}", NewUuid(), {}};
        const auto r4 = Send(by_freelancer);
        INFO(Describe(by_freelancer, r4));
        CHECK((r4.status >= 400 && r4.status < 500));
        CHECK(MilestoneState(d.client, d.milestone_id) != "MILESTONE_STATE_FUNDED");
    }

    SECTION("malformed JSON -> 400 naming the problem") {
        const Request truncated{"POST", "/v1/jobs", d.client.token, R"({"title": "half a job",)", NewUuid(), {}};
        const auto r1 = Send(truncated);
        INFO(Describe(truncated, r1));
        REQUIRE(r1.status == 400);
        const auto e1 = r1.Json();
        CHECK(e1.value("code", "") == "INVALID_ARGUMENT");
        CHECK(e1.value("message", "").find("JSON") != std::string::npos);

        const Request unknown{"POST", "/v1/jobs", d.client.token, R"({"titel": "typo"})", NewUuid(), {}};
        const auto r2 = Send(unknown);
        INFO(Describe(unknown, r2));
        REQUIRE(r2.status == 400);
        const auto e2 = r2.Json();
        CHECK(e2.value("code", "") == "INVALID_ARGUMENT");
        CHECK((e2.value("message", "").find("titel") != std::string::npos ||
               e2.value("field", "").find("titel") != std::string::npos));

        const Request wrong_type{"POST",         "/v1/wallet/deposits",
                                 d.client.token, R"({"amount": {"minor_units": "lots", "currency": "EUR"}})",
                                 NewUuid(),      {}};
        const auto r3 = Send(wrong_type);
        INFO(Describe(wrong_type, r3));
        REQUIRE(r3.status == 400);
        const auto e3 = r3.Json();
        CHECK((e3.value("message", "").find("minor_units") != std::string::npos ||
               e3.value("field", "").find("minor_units") != std::string::npos));

        const Request not_object{"POST", "/v1/wallet/deposits", d.client.token, "[1, 2]", NewUuid(), {}};
        const auto r4 = Send(not_object);
        INFO(Describe(not_object, r4));
        CHECK(r4.status == 400);
        CHECK(r4.Json().value("message", "").find("object") != std::string::npos);
        CHECK(Available(d.client) == 0);  // none of it deposited anything
    }
}
