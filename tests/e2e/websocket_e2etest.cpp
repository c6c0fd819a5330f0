// The live notification feed end to end: every service and the gateway as processes. A freelancer
// keeps a WebSocket open on GET /v1/notifications:stream (authenticated the way a browser must, with
// the token as the subprotocol) while the client funds the milestone over HTTP; the feed brings
// "milestone.funded" for that milestone.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "http_story.hpp"
#include "money_stack.hpp"
#include "ws_client.hpp"

using namespace std::chrono_literals;
using namespace marketplace::e2e::http;
using marketplace::e2e::MoneyStack;
using marketplace::gateway::test::WsClient;

namespace {

// Frames until one of `kind` arrives (nullopt when the feed closes or 60 s pass); `seen` collects them.
std::optional<json> WaitForKind(WsClient& ws, const std::string& kind, std::vector<json>& seen) {
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
    WsClient feed(stack.gateway_port(), "/v1/notifications:stream?after_sequence=0",
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
