// The gateway's WebSockets in front of a fake notifications service: server-streaming RPCs bridged
// to JSON text frames, their authentication, their limits, and how each side's end reaches the other.
#include <catch2/catch.hpp>

#include <thread>

#include "gateway_fixture.hpp"
#include "marketplace/testing/wait.hpp"
#include "marketplace/testing/websocket_client.hpp"

using namespace marketplace;
using namespace marketplace::gateway;
using namespace marketplace::gateway::test;
using marketplace::testing::HttpConnection;
using marketplace::testing::HttpHeaders;
using marketplace::testing::RequestText;
using marketplace::testing::WebSocketClient;
using Mode = FakeNotifications::End;

namespace {

constexpr char kStream[] = "/v1/notifications:stream";
constexpr char kTraceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// An opening handshake as a client writes it, plus `extra` headers.
std::string Upgrade(const std::string& target, const HttpHeaders& extra) {
    HttpHeaders headers = {{"Connection", "Upgrade"},
                           {"Upgrade", "websocket"},
                           {"Sec-WebSocket-Version", "13"},
                           {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
    headers.insert(headers.end(), extra.begin(), extra.end());
    return RequestText("GET", target, "", headers);
}

// What the gateway answers a raw handshake.
testing::HttpResponse Handshake(int port, const std::string& target, const HttpHeaders& extra) {
    HttpConnection connection(port);
    connection.Send(Upgrade(target, extra));
    return connection.ReadResponse();
}

nlohmann::json Json(const std::string& text) { return nlohmann::json::parse(text); }

bool Opens(int port, const std::string& token, std::unique_ptr<WebSocketClient>& out) {
    try {
        out = std::make_unique<WebSocketClient>(port, kStream, HttpHeaders{{"Authorization", token}});
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

}  // namespace

TEST_CASE("WebSocket: the feed arrives as JSON text frames in order, then close 1000", "[gateway][e2e][websocket]") {
    GatewayFixture f;
    f.notifications.count = 5;
    f.notifications.end = Mode::kOk;
    WebSocketClient ws(f.port, std::string(kStream) + "?after_sequence=7",
                       {{"Authorization", f.Bearer(kFreelancerId, "freelancer")},
                        {"X-Request-Id", "ws-request-1"},
                        {"traceparent", kTraceparent}});
    CHECK(ws.ResponseHeader("x-request-id") == "ws-request-1");
    CHECK(ws.ResponseHeader("traceparent").find("4bf92f3577b34da6a3ce929d0e0e4736") != std::string::npos);
    CHECK(ws.ResponseHeader("sec-websocket-protocol").empty());  // none was offered

    const auto frames = ws.ReadUntilClosed();
    REQUIRE(frames.size() == 5);
    for (int i = 0; i < 5; ++i) {
        const auto n = Json(frames[static_cast<std::size_t>(i)]);
        CHECK(n["sequence"] == std::to_string(8 + i));  // bound from the query; int64 as a JSON string
        CHECK(n["kind"] == "milestone.funded");
        CHECK(n["contract_id"] == "");  // proto field names, defaults printed, like HTTP responses
        CHECK(n["created_at"] == "2027-01-15T08:00:0" + std::to_string(i + 1) + "Z");
    }
    CHECK(ws.close_code() == 1000);

    const auto seen = f.notifications.calls.Last();
    CHECK(seen.method == "StreamNotifications");
    CHECK(seen.subject == kFreelancerId);
    CHECK(seen.request_id == "ws-request-1");
    CHECK(seen.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_CASE("WebSocket: a browser sends its token as the subprotocol list 'bearer, <token>'",
          "[gateway][e2e][websocket]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) { c.cors.allowed_origins = {"https://app.example.com"}; }});
    f.notifications.count = 1;
    const std::string token = f.tokens.For(kClientId, "client");
    WebSocketClient ws(f.port, kStream,
                       {{"Sec-WebSocket-Protocol", "bearer, " + token}, {"Origin", "https://app.example.com"}});
    CHECK(ws.ResponseHeader("sec-websocket-protocol") == "bearer");  // browsers need the offer selected
    const auto frames = ws.ReadUntilClosed();
    REQUIRE(frames.size() == 1);
    CHECK(f.notifications.calls.Last().subject == kClientId);
    CHECK(f.notifications.calls.Last().authorization == "Bearer " + token);

    // A page of another origin may not open it, whatever token it holds.
    const auto foreign = Handshake(
        f.port, kStream, {{"Sec-WebSocket-Protocol", "bearer, " + token}, {"Origin", "https://evil.example"}});
    CHECK(foreign.status == 403);
    CHECK(foreign.Json()["field"] == "Origin");
    CHECK(f.notifications.calls.size() == 1);
}

TEST_CASE("WebSocket: no token, a bad token or a bad offer is refused before the upgrade",
          "[gateway][e2e][websocket]") {
    GatewayFixture f;
    const std::string token = f.tokens.For(kClientId, "client");

    const auto none = Handshake(f.port, kStream, {});
    CHECK(none.status == 401);
    CHECK(none.Json()["code"] == "UNAUTHENTICATED");
    CHECK(none.Header("upgrade").empty());
    CHECK(none.Header("sec-websocket-accept").empty());

    CHECK(Handshake(f.port, kStream, {{"Authorization", "Bearer not-a-token"}}).status == 401);
    CHECK(Handshake(f.port, kStream, {{"Sec-WebSocket-Protocol", "bearer, not-a-token"}}).status == 401);
    const auto bare = Handshake(f.port, kStream, {{"Sec-WebSocket-Protocol", "bearer"}});
    CHECK(bare.status == 401);
    CHECK(bare.Json()["field"] == "Sec-WebSocket-Protocol");

    const auto twice = Handshake(
        f.port, kStream, {{"Authorization", "Bearer " + token}, {"Sec-WebSocket-Protocol", "bearer, " + token}});
    CHECK(twice.status == 400);
    CHECK(twice.Json()["field"] == "Sec-WebSocket-Protocol");
    const auto other =
        Handshake(f.port, kStream, {{"Authorization", "Bearer " + token}, {"Sec-WebSocket-Protocol", "chat"}});
    CHECK(other.status == 400);

    CHECK_THROWS_WITH(WebSocketClient(f.port, kStream), Catch::Contains("401"));
    CHECK(f.notifications.calls.size() == 0);  // nothing reached the service
}

TEST_CASE("WebSocket: a plain GET is 426 Upgrade Required; other versions and bad keys are refused",
          "[gateway][e2e][websocket]") {
    GatewayFixture f;
    auto client = f.Client();
    const auto plain = client.Get(kStream, {{"Authorization", f.Bearer(kClientId, "client")}});
    CHECK(plain.status == 426);
    CHECK(plain.Json()["code"] == "UPGRADE_REQUIRED");
    CHECK_THAT(plain.Json()["message"].get<std::string>(), Catch::Contains("is a WebSocket"));
    CHECK(plain.Header("upgrade") == "websocket");

    HttpConnection old_version(f.port);
    old_version.Send(RequestText("GET", kStream, "",
                                 {{"Connection", "Upgrade"},
                                  {"Upgrade", "websocket"},
                                  {"Sec-WebSocket-Version", "8"},
                                  {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}}));
    const auto version = old_version.ReadResponse();
    CHECK(version.status == 426);
    CHECK(version.Header("sec-websocket-version") == "13");

    HttpConnection no_key(f.port);
    no_key.Send(RequestText("GET", kStream, "",
                            {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", "13"}}));
    const auto key = no_key.ReadResponse();
    CHECK(key.status == 400);
    CHECK(key.Json()["field"] == "Sec-WebSocket-Key");

    // Path and query bind the request as on any GET: unknown parameters are refused before the upgrade.
    const auto unknown =
        Handshake(f.port, std::string(kStream) + "?colour=red", {{"Authorization", f.Bearer(kClientId, "client")}});
    CHECK(unknown.status == 400);
    CHECK(f.notifications.calls.size() == 0);
}

TEST_CASE("WebSocket: the client closing or dropping the socket cancels the upstream call",
          "[gateway][e2e][websocket]") {
    GatewayFixture f;
    f.notifications.count = 1;
    f.notifications.end = Mode::kHold;
    const std::string token = f.Bearer(kClientId, "client");
    {
        WebSocketClient ws(f.port, kStream, {{"Authorization", token}});
        REQUIRE(ws.Read().has_value());
        REQUIRE(f.notifications.active == 1);
        ws.Close();
        CHECK(testing::WaitUntil([&] { return f.notifications.cancelled == 1; }, std::chrono::seconds(10)));
    }
    {
        auto ws = std::make_unique<WebSocketClient>(f.port, kStream, HttpHeaders{{"Authorization", token}});
        REQUIRE(ws->Read().has_value());
        ws.reset();  // the TCP connection goes away without a close frame
        CHECK(testing::WaitUntil([&] { return f.notifications.cancelled == 2; }, std::chrono::seconds(10)));
    }
    CHECK(testing::WaitUntil([&] { return f.notifications.active == 0; }, std::chrono::seconds(10)));
}

TEST_CASE("WebSocket: an upstream error becomes an error frame, then close 4000 + its HTTP status",
          "[gateway][e2e][websocket]") {
    GatewayFixture f;
    f.notifications.count = 2;
    f.notifications.end = Mode::kFail;
    WebSocketClient ws(f.port, kStream, {{"Authorization", f.Bearer(kClientId, "client")}});
    const auto frames = ws.ReadUntilClosed();
    REQUIRE(frames.size() == 3);
    CHECK(Json(frames[0])["sequence"] == "1");
    CHECK(Json(frames[1])["sequence"] == "2");
    const auto error = Json(frames[2]);  // the body an HTTP call would get
    CHECK(error["code"] == "FAILED_PRECONDITION");
    CHECK(error["message"] == "the feed was closed");
    CHECK(error.contains("field"));
    CHECK(ws.close_code() == 4412);
    CHECK(ws.close_reason() == "FAILED_PRECONDITION");

    // A service that is down: the same, 4503.
    f.notifications_server.reset();
    WebSocketClient down(f.port, kStream, {{"Authorization", f.Bearer(kClientId, "client")}});
    const auto down_frames = down.ReadUntilClosed();
    REQUIRE(down_frames.size() == 1);
    CHECK(Json(down_frames[0])["code"] == "UNAVAILABLE");
    CHECK(down.close_code() == 4503);
}

TEST_CASE("WebSocket: beyond the per-user and total limits the upgrade is answered 429 and 503",
          "[gateway][e2e][websocket]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) {
        c.websocket.max_per_user = 1;
        c.websocket.max_connections = 2;
    }});
    f.notifications.count = 1;
    f.notifications.end = Mode::kHold;
    const std::string alice = f.Bearer(kClientId, "client");
    const std::string bob = f.Bearer(kFreelancerId, "freelancer");
    const std::string carol = f.Bearer("0190a1b2-0000-7000-8000-0000000ca201", "client");

    auto first = std::make_unique<WebSocketClient>(f.port, kStream, HttpHeaders{{"Authorization", alice}});
    REQUIRE(first->Read().has_value());
    const auto again = Handshake(f.port, kStream, {{"Authorization", alice}});
    CHECK(again.status == 429);
    CHECK(again.Json()["code"] == "RESOURCE_EXHAUSTED");
    CHECK(!again.Header("retry-after").empty());

    WebSocketClient second(f.port, kStream, {{"Authorization", bob}});
    REQUIRE(second.Read().has_value());
    const auto full = Handshake(f.port, kStream, {{"Authorization", carol}});
    CHECK(full.status == 503);
    CHECK(full.Json()["code"] == "UNAVAILABLE");
    CHECK(f.notifications.calls.size() == 2);

    // A closed one frees its place.
    first->Close();
    first.reset();
    std::unique_ptr<WebSocketClient> reopened;
    CHECK(testing::WaitUntil([&] { return Opens(f.port, alice, reopened); }, std::chrono::seconds(10),
                             std::chrono::milliseconds(50)));
}

TEST_CASE("WebSocket: a burst larger than the queue reaches a reading client whole", "[gateway][e2e][websocket]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) { c.websocket.max_queued_messages = 4; }});
    f.notifications.count = 2'000;  // a long replay
    WebSocketClient ws(f.port, kStream, {{"Authorization", f.Bearer(kClientId, "client")}});
    const auto frames = ws.ReadUntilClosed();
    REQUIRE(frames.size() == 2'000);
    for (std::size_t i = 0; i < frames.size(); ++i) CHECK(Json(frames[i])["sequence"] == std::to_string(i + 1));
    CHECK(ws.close_code() == 1000);
}

TEST_CASE("WebSocket: a client that reads too slowly is closed, never buffered without end",
          "[gateway][e2e][websocket]") {
    GatewayFixture f({.configure = [](GatewayConfig& c) {
        c.websocket.max_queued_messages = 8;
        c.websocket.max_queued_bytes = 256 * 1024;
        c.websocket.send_timeout = std::chrono::milliseconds(300);
    }});
    f.notifications.end = Mode::kFlood;  // 16 KiB notifications as fast as they go, up to 320 MiB
    WebSocketClient ws(f.port, kStream, {{"Authorization", f.Bearer(kClientId, "client")}});
    // The client reads nothing until the gateway has given up on it and cancelled the feed.
    REQUIRE(testing::WaitUntil([&] { return f.notifications.cancelled == 1; }, std::chrono::seconds(60)));
    CHECK(f.notifications.written < FakeNotifications::kFloodLimit);

    const auto frames = ws.ReadUntilClosed();
    REQUIRE(frames.size() >= 2);
    // What was written before the limit arrives whole and in order; then why it stopped.
    for (std::size_t i = 0; i + 1 < frames.size(); ++i) {
        CHECK(Json(frames[i])["sequence"] == std::to_string(i + 1));
    }
    const auto last = Json(frames.back());
    CHECK(last["code"] == "RESOURCE_EXHAUSTED");
    CHECK_THAT(last["message"].get<std::string>(), Catch::Contains("too slowly"));
    CHECK(ws.close_code() == 1008);
}

TEST_CASE("WebSocket: a client may send control frames only; a message closes it with 1008",
          "[gateway][e2e][websocket]") {
    GatewayFixture f;
    f.notifications.count = 1;
    f.notifications.end = Mode::kHold;
    WebSocketClient ws(f.port, kStream, {{"Authorization", f.Bearer(kClientId, "client")}});
    REQUIRE(ws.Read().has_value());
    ws.SendText("hello");
    CHECK(ws.ReadUntilClosed().empty());
    CHECK(ws.close_code() == 1008);
    CHECK(testing::WaitUntil([&] { return f.notifications.cancelled == 1; }, std::chrono::seconds(10)));
}

TEST_CASE("WebSocket: stopping the gateway closes open WebSockets with 1001 and cancels their calls",
          "[gateway][e2e][websocket]") {
    GatewayFixture f;
    f.notifications.count = 1;
    f.notifications.end = Mode::kHold;
    WebSocketClient ws(f.port, kStream, {{"Authorization", f.Bearer(kClientId, "client")}});
    REQUIRE(ws.Read().has_value());
    std::thread stopper([&] { f.gateway->Stop(); });
    const auto rest = ws.ReadUntilClosed();
    stopper.join();
    CHECK(rest.empty());
    CHECK(ws.close_code() == 1001);
    CHECK(testing::WaitUntil([&] { return f.notifications.cancelled == 1; }, std::chrono::seconds(10)));
}

TEST_CASE("WebSocket: the stream route is in /openapi.json and notifications in /readyz", "[gateway][e2e][websocket]") {
    GatewayFixture f;
    auto client = f.Client();
    const auto doc = client.Get("/openapi.json").Json();
    CHECK_FALSE(doc["paths"].contains(kStream));  // a plain GET of it is answered 426: no HTTP operation
    const auto& operation = doc["x-websockets"][kStream]["get"];
    CHECK(operation["x-websocket"] == true);
    CHECK(operation["responses"].contains("101"));
    CHECK(doc["paths"]["/v1/notifications"].contains("get"));
    const auto ready = client.Get("/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.Json()["services"]["notifications"] == "SERVING");
}
