// The live notification feed end to end: every service and the gateway as processes. A freelancer
// keeps a WebSocket open on GET /v1/notifications:stream (authenticated the way a browser must, with
// the token as the subprotocol) while the client funds the milestone over HTTP; the feed brings
// "milestone.funded" for that milestone.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http_story.hpp"
#include "marketplace/testing/wait.hpp"
#include "marketplace/testing/websocket_client.hpp"
#include "money_stack.hpp"

using namespace std::chrono_literals;
using namespace marketplace::e2e::http;
using marketplace::e2e::MoneyStack;
using marketplace::testing::WebSocketClient;

namespace {

// Frames until one of `kind` arrives (nullopt when the feed closes or 60 s pass); `seen` collects them.
std::optional<json> WaitForKind(WebSocketClient& ws, const std::string& kind, std::vector<json>& seen) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        std::optional<std::string> frame;
        try {
            frame = ws.Read(std::max(left, std::chrono::milliseconds(1)));
        } catch (const std::runtime_error&) {
            return std::nullopt;  // the deadline passed
        }
        if (!frame) return std::nullopt;
        seen.push_back(json::parse(*frame));
        if (seen.back().value("kind", "") == kind) return seen.back();
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("WebSocket E2E: a freelancer's live feed shows the milestone funded while the client funds over HTTP",
          "[e2e][http][websocket]") {
    auto& stack = MoneyStack::Get();
    auto d = NewHttpDeal(150000, 200000);

    // Live notifications only (after_sequence 0): what comes now is caused by what follows.
    WebSocketClient feed(stack.gateway_port(), "/v1/notifications:stream?after_sequence=0",
                         {{"Sec-WebSocket-Protocol", "bearer, " + d.freelancer.token}});
    CHECK(feed.ResponseHeader("sec-websocket-protocol") == "bearer");

    Post(d.client.token, "/v1/milestones/" + d.milestone_id + ":fund", json::object());
    std::vector<json> seen;
    const auto funded = WaitForKind(feed, "milestone.funded", seen);
    INFO("frames: " << json(seen).dump() << "\n" << stack.Logs() << stack.GatewayLogs());
    REQUIRE(funded.has_value());
    CHECK(funded->at("milestone_id") == d.milestone_id);
    CHECK(funded->at("contract_id") == d.contract_id);
    CHECK(Int64(*funded, "sequence") > 0);
    CHECK(!funded->at("title").get<std::string>().empty());
    // The feed is told by payments' EscrowFunded, as contracts is: contracts catches up on its own.
    WaitMilestone(d.freelancer, d.milestone_id, "MILESTONE_STATE_FUNDED");

    feed.Close();

    // A plain GET of the route is not a WebSocket: 426, before any token check.
    const auto plain = Send(Request{"GET", "/v1/notifications:stream", d.freelancer.token, {}, {}, {}});
    CHECK(plain.status == 426);
    CHECK(plain.Header("upgrade") == "websocket");
}

TEST_CASE("WebSocket E2E: one client address holds at most its budget of live feeds, however many accounts it uses",
          "[e2e][http][websocket]") {
    auto& stack = MoneyStack::Get();
    stack.gateway_port();
    // The gateway believes X-Forwarded-For from the tests' loopback connections (a trusted proxy), so
    // each side here stands for its own client address.
    const std::string crowded = "203.0.113.77";
    const std::string elsewhere = "203.0.113.78";
    auto open = [&](const HttpUser& user, const std::string& address) {
        return std::make_unique<WebSocketClient>(
            stack.gateway_port(), "/v1/notifications:stream?after_sequence=0",
            marketplace::testing::HttpHeaders{{"Sec-WebSocket-Protocol", "bearer, " + user.token},
                                              {"X-Forwarded-For", address}});
    };
    // Free accounts from one address: two hold the whole budget between them (8 each, the per-user bound).
    std::vector<HttpUser> accounts;
    for (int i = 0; i < marketplace::e2e::kStreamsPerSource / 8; ++i) {
        accounts.push_back(RegisterUser("ROLE_FREELANCER", "feed-budget-" + std::to_string(i)));
    }
    std::vector<std::unique_ptr<WebSocketClient>> feeds;
    for (const auto& account : accounts) {
        for (int i = 0; i < 8; ++i) feeds.push_back(open(account, crowded));
    }
    // One more account from the same address: refused with 4429 once the stream is asked for.
    const auto another = RegisterUser("ROLE_FREELANCER", "feed-budget-extra");
    // The feeds above are admitted one by one as their streams start; the budget is spent once all
    // are. (A feed that is admitted meanwhile stays open; reading it until the bound below ends it.)
    std::vector<std::string> frames;
    std::unique_ptr<WebSocketClient> refused;
    REQUIRE(marketplace::testing::WaitUntil(
        [&] {
            refused = open(another, crowded);
            try {
                frames = refused->ReadUntilClosed(3s);
            } catch (const std::runtime_error&) {
                return false;  // admitted
            }
            return refused->close_code() == 4429;
        },
        30s));
    INFO("frames: " << json(frames).dump());
    REQUIRE(!frames.empty());
    CHECK(frames.front().find("from this address (at most " + std::to_string(marketplace::e2e::kStreamsPerSource)) !=
          std::string::npos);

    // The same account from another address is served: its feed stays open (the read ends only at
    // its time bound, which also drops the connection).
    auto served = open(another, elsewhere);
    CHECK_THROWS_AS(served->Read(2s), std::runtime_error);
    CHECK(served->close_code() == 0);

    // Feeds that close give the address its slots back.
    for (int i = 0; i < 4; ++i) feeds[static_cast<std::size_t>(i)]->Close();
    CHECK(marketplace::testing::WaitUntil(
        [&] {
            auto admitted = open(another, crowded);
            try {
                admitted->Read(1s);
            } catch (const std::runtime_error&) {
                return admitted->close_code() == 0;  // still open when the bound passed: admitted
            }
            return false;
        },
        30s));
    for (std::size_t i = 4; i < feeds.size(); ++i) feeds[i]->Close();
}
