// The tests' WebSocket client against a loopback server: Beast's server side on an accepted socket.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "loopback_server.hpp"
#include "marketplace/testing/websocket_client.hpp"

using marketplace::testing::AsyncWebSocketClient;
using marketplace::testing::HttpHeaders;
using marketplace::testing::WebSocketClient;
using marketplace::testing::WebSocketOptions;
using marketplace::testing::loopback::Peer;
using marketplace::testing::loopback::Server;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

using Socket = websocket::stream<asio::ip::tcp::socket>;
using Script = std::function<void(Socket&, const websocket::request_type&)>;

// A WebSocket server that accepts each connection's handshake (answering X-Echo with the request's
// Authorization) and then plays `script`.
Server::Handler WebSocketServer(Script script) {
    return [script](Server&, Peer& peer) {
        asio::io_context io;
        asio::ip::tcp::socket tcp(io, asio::ip::tcp::v4(), ::dup(peer.fd()));
        Socket ws(std::move(tcp));
        beast::flat_buffer buffer;
        websocket::request_type request;
        beast::error_code ec;
        beast::http::read(ws.next_layer(), buffer, request, ec);
        if (ec) return;
        ws.set_option(websocket::stream_base::decorator([&request](websocket::response_type& response) {
            response.set("X-Echo", request[beast::http::field::authorization]);
        }));
        ws.accept(request, ec);
        if (ec) return;
        try {
            script(ws, request);
        } catch (const std::exception&) {
            // the client went away: the test says what it expected
        }
    };
}

std::string ErrorOf(const std::function<void()>& call) {
    try {
        call();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("WebSocket client: handshake headers both ways, messages in order, the server's close",
          "[testing][websocket]") {
    Server server(WebSocketServer([](Socket& ws, const websocket::request_type& request) {
        ws.text(true);
        ws.write(asio::buffer(std::string(request.target())));
        ws.write(asio::buffer(std::string("second")));
        ws.close(websocket::close_reason(static_cast<websocket::close_code>(4001), "enough"));
        beast::flat_buffer drain;
        beast::error_code ec;
        ws.read(drain, ec);
    }));
    WebSocketClient ws(server.port(), "/v1/stream?after=7", HttpHeaders{{"Authorization", "Bearer abc"}});
    CHECK(ws.url() == "ws://127.0.0.1:" + std::to_string(server.port()) + "/v1/stream?after=7");
    CHECK(ws.ResponseHeader("x-echo") == "Bearer abc");
    CHECK(ws.ResponseHeader("absent").empty());
    CHECK(ws.close_code() == 0);
    CHECK(ws.Read() == std::optional<std::string>("/v1/stream?after=7"));
    CHECK(ws.ReadUntilClosed() == std::vector<std::string>{"second"});
    CHECK(ws.close_code() == 4001);
    CHECK(ws.close_reason() == "enough");
    CHECK_FALSE(ws.Read().has_value());
}

TEST_CASE("WebSocket client: text sent, echoed, and a close handshake the client starts", "[testing][websocket]") {
    Server server(WebSocketServer([](Socket& ws, const websocket::request_type&) {
        beast::flat_buffer buffer;
        for (;;) {
            ws.read(buffer);  // throws once the client closes
            ws.text(ws.got_text());
            ws.write(asio::buffer("echo " + beast::buffers_to_string(buffer.data())));
            buffer.clear();
        }
    }));
    WebSocketClient ws(server.port(), "/echo");
    ws.SendText("one");
    ws.SendText("two");
    CHECK(ws.Read() == std::optional<std::string>("echo one"));
    CHECK(ws.Read() == std::optional<std::string>("echo two"));
    CHECK_NOTHROW(ws.Close());
}

TEST_CASE("WebSocket client: failures are bounded and say what failed", "[testing][websocket]") {
    SECTION("a refused handshake names the status and the body") {
        Server server([](Server&, Peer& peer) {
            peer.ReadRequest();
            peer.Write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 13\r\n\r\nwho are you?\n");
        });
        CHECK_THAT(ErrorOf([&] { WebSocketClient(server.port(), "/feed"); }),
                   Catch::Contains("/feed: handshake failed") && Catch::Contains("HTTP 401 who are you?"));
    }
    SECTION("a server that never answers the handshake") {
        Server server([](Server&, Peer& peer) { peer.ClientClosed(); });
        const auto started = std::chrono::steady_clock::now();
        CHECK_THAT(ErrorOf([&] { WebSocketClient(server.port(), "/feed", {}, 300ms); }),
                   Catch::Contains("handshake failed: timed out after 300 ms"));
        CHECK(std::chrono::steady_clock::now() - started < 3s);
    }
    SECTION("no message within the read's timeout") {
        Server server(WebSocketServer([](Socket& ws, const websocket::request_type&) {
            beast::flat_buffer buffer;
            beast::error_code ec;
            ws.read(buffer, ec);
        }));
        WebSocketClient ws(server.port(), "/quiet");
        CHECK_THAT(ErrorOf([&] { ws.Read(200ms); }), Catch::Contains("/quiet: no message within 200 ms"));
    }
    SECTION("a message over the bound") {
        Server server(WebSocketServer([](Socket& ws, const websocket::request_type&) {
            ws.text(true);
            ws.write(asio::buffer(std::string(4096, 'x')));
            beast::flat_buffer buffer;
            beast::error_code ec;
            ws.read(buffer, ec);
        }));
        WebSocketOptions options;
        options.max_message_bytes = 1024;
        WebSocketClient ws(server.port(), "/big", {}, options);
        CHECK_THAT(ErrorOf([&] { ws.Read(); }), Catch::Contains("/big: read failed"));
    }
    SECTION("nobody listening") {
        int port;
        {
            Server closed([](Server&, Peer&) {});
            port = closed.port();
        }
        CHECK_THAT(ErrorOf([&] { WebSocketClient(port, "/x"); }),
                   Catch::Contains("ws://127.0.0.1:" + std::to_string(port) + "/x: connect failed"));
    }
}

namespace {

// Two threads running an io_context for the asynchronous clients, stopped and joined at the end.
struct IoThreads {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
    std::vector<std::thread> threads;
    IoThreads() {
        for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
    }
    ~IoThreads() {
        work.reset();
        io.stop();
        for (auto& t : threads) t.join();
    }
};

// What an asynchronous client's handlers saw.
struct Seen {
    std::mutex mu;
    bool opened = false;
    std::vector<std::string> messages;
    std::vector<std::optional<std::chrono::microseconds>> pongs;
    std::vector<std::string> errors;

    AsyncWebSocketClient::Handlers Handlers() {
        AsyncWebSocketClient::Handlers h;
        h.on_open = [this] {
            std::lock_guard lock(mu);
            opened = true;
        };
        h.on_message = [this](std::string_view m) {
            std::lock_guard lock(mu);
            messages.emplace_back(m);
        };
        h.on_pong = [this](std::optional<std::chrono::microseconds> rt) {
            std::lock_guard lock(mu);
            pongs.push_back(rt);
        };
        h.on_error = [this](const std::string& e) {
            std::lock_guard lock(mu);
            errors.push_back(e);
        };
        return h;
    }
    template <typename F>
    bool Until(F done, std::chrono::milliseconds timeout = 5000ms) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            {
                std::lock_guard lock(mu);
                if (done()) return true;
            }
            if (std::chrono::steady_clock::now() > until) return false;
            std::this_thread::sleep_for(5ms);
        }
    }
};

}  // namespace

TEST_CASE("Async WebSocket client: opens, reads every message, pings, and reports the server's close",
          "[testing][websocket]") {
    Server server(WebSocketServer([](Socket& ws, const websocket::request_type& request) {
        ws.text(true);
        ws.write(asio::buffer(std::string(request[beast::http::field::authorization])));
        ws.write(asio::buffer(std::string("two")));
        // Reading answers the client's pings (it sends nothing else) for a second; then the
        // connection ends.
        beast::flat_buffer buffer;
        ws.async_read(buffer, [](beast::error_code, std::size_t) {});
        auto& io = static_cast<asio::io_context&>(ws.get_executor().context());
        io.run_for(1s);
    }));
    IoThreads io;
    Seen seen;
    auto client = AsyncWebSocketClient::Create(io.io, seen.Handlers());
    client->Open(server.port(), "/stream", {{"Authorization", "Bearer async"}});
    REQUIRE(seen.Until([&] { return seen.opened && seen.messages.size() == 2; }));
    CHECK(seen.messages == std::vector<std::string>{"Bearer async", "two"});
    client->Ping(2s);
    REQUIRE(seen.Until([&] { return seen.pongs.size() == 1; }));
    CHECK(seen.pongs[0].has_value());
    REQUIRE(seen.Until([&] { return !seen.errors.empty(); }));
    CHECK_THAT(seen.errors[0],
               Catch::Contains("ws://127.0.0.1:" + std::to_string(server.port()) + "/stream: read failed"));
}

TEST_CASE("Async WebSocket client: an unanswered ping, a refused handshake, and a quiet shutdown",
          "[testing][websocket]") {
    IoThreads io;
    Seen seen;
    SECTION("a ping nobody answers reaches on_pong empty") {
        Server server(WebSocketServer([](Socket& ws, const websocket::request_type&) {
            std::this_thread::sleep_for(800ms);  // not reading: no pong
            beast::error_code ec;
            ws.close(websocket::close_code::normal, ec);
        }));
        auto client = AsyncWebSocketClient::Create(io.io, seen.Handlers());
        client->Open(server.port(), "/quiet");
        REQUIRE(seen.Until([&] { return seen.opened; }));
        client->Ping(200ms);
        REQUIRE(seen.Until([&] { return seen.pongs.size() == 1; }));
        CHECK_FALSE(seen.pongs[0].has_value());
        client->Shutdown();
    }
    SECTION("a refused handshake") {
        Server server([](Server&, Peer& peer) {
            peer.ReadRequest();
            peer.Write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        });
        auto client = AsyncWebSocketClient::Create(io.io, seen.Handlers());
        client->Open(server.port(), "/feed");
        REQUIRE(seen.Until([&] { return !seen.errors.empty(); }));
        CHECK_THAT(seen.errors[0], Catch::Contains("/feed: handshake failed"));
        CHECK_FALSE(seen.opened);
    }
    SECTION("after Shutdown, no error is reported") {
        Server server(WebSocketServer([](Socket& ws, const websocket::request_type&) {
            beast::flat_buffer buffer;
            beast::error_code ec;
            ws.read(buffer, ec);
        }));
        auto client = AsyncWebSocketClient::Create(io.io, seen.Handlers());
        client->Open(server.port(), "/x");
        REQUIRE(seen.Until([&] { return seen.opened; }));
        client->Shutdown();
        std::this_thread::sleep_for(200ms);
        std::lock_guard lock(seen.mu);
        CHECK(seen.errors.empty());
    }
    SECTION("nobody listening") {
        int port;
        {
            Server closed([](Server&, Peer&) {});
            port = closed.port();
        }
        auto client = AsyncWebSocketClient::Create(io.io, seen.Handlers());
        client->Open(port, "/x");
        REQUIRE(seen.Until([&] { return !seen.errors.empty(); }));
        CHECK_THAT(seen.errors[0], Catch::Contains("/x: connect failed"));
    }
}
