#include <catch2/catch.hpp>

#include <atomic>

#include "http/request_error.hpp"
#include "ws/ws_handshake.hpp"
#include "ws/ws_hub.hpp"

using namespace marketplace::gateway;

namespace {

HttpRequest UpgradeRequest() {
    HttpRequest request{bhttp::verb::get, "/v1/notifications:stream", 11};
    request.set(bhttp::field::connection, "keep-alive, Upgrade");
    request.set(bhttp::field::upgrade, "websocket");
    request.set(bhttp::field::sec_websocket_version, "13");
    request.set(bhttp::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    return request;
}

int StatusOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const RequestError& e) {
        return static_cast<int>(e.status());
    }
    return 0;
}

struct Target final : GoingAwayTarget {
    void GoAway() override { ++calls; }
    std::atomic<int> calls{0};
};

}  // namespace

TEST_CASE("WebSocket credentials: a header token, or 'bearer, <token>' as the subprotocol list", "[gateway][unit]") {
    const auto header = ReadWebSocketCredentials("Bearer abc", "");
    CHECK(header.authorization == "Bearer abc");
    CHECK(header.subprotocol.empty());

    const auto offered = ReadWebSocketCredentials("", "bearer, eyJ.payload.sig");
    CHECK(offered.authorization == "Bearer eyJ.payload.sig");
    CHECK(offered.subprotocol == "bearer");
    CHECK(ReadWebSocketCredentials("", "bearer,tok").authorization == "Bearer tok");

    CHECK(ReadWebSocketCredentials("", "").authorization.empty());
    CHECK(StatusOf([] { ReadWebSocketCredentials("", "bearer"); }) == 401);
    CHECK(StatusOf([] { ReadWebSocketCredentials("", "bearer, "); }) == 401);
    CHECK(StatusOf([] { ReadWebSocketCredentials("Bearer a", "bearer, a"); }) == 400);
    CHECK(StatusOf([] { ReadWebSocketCredentials("", "chat"); }) == 400);
    CHECK(StatusOf([] { ReadWebSocketCredentials("", "chat, bearer, a"); }) == 400);
    CHECK(StatusOf([] { ReadWebSocketCredentials("", "bearer, a, b"); }) == 400);
}

TEST_CASE("WebSocket handshake: only a version-13 upgrade with a proper key passes", "[gateway][unit]") {
    CHECK(StatusOf([] { CheckWebSocketHandshake(UpgradeRequest(), "/s"); }) == 0);

    auto plain = UpgradeRequest();
    plain.erase(bhttp::field::upgrade);
    CHECK(StatusOf([&] { CheckWebSocketHandshake(plain, "/s"); }) == 426);
    try {
        CheckWebSocketHandshake(plain, "/v1/notifications:stream");
    } catch (const RequestError& e) {
        CHECK(e.code() == "UPGRADE_REQUIRED");
        CHECK(e.ToResponse()[bhttp::field::upgrade] == "websocket");
    }

    auto http10 = UpgradeRequest();
    http10.version(10);
    CHECK(StatusOf([&] { CheckWebSocketHandshake(http10, "/s"); }) == 426);

    auto version = UpgradeRequest();
    version.set(bhttp::field::sec_websocket_version, "8");
    CHECK(StatusOf([&] { CheckWebSocketHandshake(version, "/s"); }) == 426);

    auto short_key = UpgradeRequest();
    short_key.set(bhttp::field::sec_websocket_key, "abc");
    CHECK(StatusOf([&] { CheckWebSocketHandshake(short_key, "/s"); }) == 400);
    auto no_key = UpgradeRequest();
    no_key.erase(bhttp::field::sec_websocket_key);
    CHECK(StatusOf([&] { CheckWebSocketHandshake(no_key, "/s"); }) == 400);
}

TEST_CASE("WebSocket credentials: a list split over several header lines is read whole", "[gateway][unit]") {
    auto request = UpgradeRequest();
    request.insert(bhttp::field::sec_websocket_protocol, "bearer");
    request.insert(bhttp::field::sec_websocket_protocol, "tok");
    CHECK(JoinedHeader(request, bhttp::field::sec_websocket_protocol) == "bearer, tok");
    CHECK(ReadWebSocketCredentials("", JoinedHeader(request, bhttp::field::sec_websocket_protocol)).authorization ==
          "Bearer tok");
}

TEST_CASE("WebSocket hub: places are counted per user and in all, and freed when dropped", "[gateway][unit]") {
    WebSocketOptions options;
    options.max_per_user = 2;
    options.max_connections = 3;
    WebSocketHub hub(options);
    auto a1 = hub.Admit("alice");
    auto a2 = hub.Admit("alice");
    CHECK(StatusOf([&] { hub.Admit("alice"); }) == 429);
    auto anonymous = hub.Admit("");
    CHECK(hub.open() == 3);
    CHECK(StatusOf([&] { hub.Admit("bob"); }) == 503);
    a1.reset();
    CHECK(hub.open() == 2);
    auto b1 = hub.Admit("bob");
    CHECK(StatusOf([&] { hub.Admit("bob"); }) == 503);
    b1.reset();
    anonymous.reset();
    auto a3 = hub.Admit("alice");  // alice's first place was freed
    CHECK(hub.open() == 2);
}

TEST_CASE("WebSocket hub: shutting down sends every session away and refuses new ones", "[gateway][unit]") {
    WebSocketHub hub(WebSocketOptions{});
    auto target = std::make_shared<Target>();
    auto place = hub.Admit("alice");
    place->Attach(target);
    CHECK(!hub.WaitIdle(std::chrono::milliseconds(1)));
    hub.Shutdown();
    CHECK(target->calls == 1);
    CHECK(StatusOf([&] { hub.Admit("bob"); }) == 503);

    auto late = std::make_shared<Target>();
    place->Attach(late);  // attached after the shutdown: sent away at once
    CHECK(late->calls == 1);
    place.reset();
    CHECK(hub.WaitIdle(std::chrono::milliseconds(1)));
}
