// The tests' HTTP/1.1 client against a loopback server that answers the bytes each test chooses.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "loopback_server.hpp"
#include "marketplace/testing/http_client.hpp"

using marketplace::testing::HttpClient;
using marketplace::testing::HttpConnection;
using marketplace::testing::HttpOptions;
using marketplace::testing::HttpResponse;
using marketplace::testing::RequestText;
using marketplace::testing::loopback::Peer;
using marketplace::testing::loopback::Server;
using namespace std::chrono_literals;

namespace {

// Answers every request on a connection with `response` until the client closes.
Server::Handler Answer(std::string response) {
    return [response](Server& server, Peer& peer) {
        for (std::string request; !(request = peer.ReadRequest()).empty();) {
            server.Record(request);
            peer.Write(response);
        }
    };
}

HttpOptions Quick() {
    HttpOptions options;
    options.timeout = 300ms;
    options.connect_timeout = 300ms;
    return options;
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

TEST_CASE("HTTP client: a request as written, and the response's status, headers and body", "[testing][http]") {
    Server server(
        Answer("HTTP/1.1 201 Created\r\nX-Thing: a b\r\nContent-Type: application/json\r\n"
               "Content-Length: 13\r\n\r\n{\"code\":\"OK\"}"));
    HttpClient client(server.port());
    const HttpResponse response =
        client.Post("/v1/things?x=1", "{\"a\":1}", {{"Authorization", "Bearer t"}, {"X-Twice", "1"}, {"X-Twice", "2"}});
    CHECK(response.status == 201);
    CHECK(response.Header("x-thing") == "a b");
    CHECK(response.headers.at("content-type") == "application/json");
    CHECK(response.Header("absent").empty());
    CHECK(response.body == "{\"code\":\"OK\"}");
    CHECK(response.Json().at("code") == "OK");
    CHECK(response.Code() == "OK");
    REQUIRE(server.requests().size() == 1);
    CHECK(server.requests()[0] ==
          "POST /v1/things?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) +
              "\r\nAuthorization: Bearer t\r\nX-Twice: 1\r\nX-Twice: 2\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
}

TEST_CASE("HTTP client: request text adds Content-Length for bodies and POST/PUT/PATCH, unless given",
          "[testing][http]") {
    CHECK(RequestText("GET", "/a", "", {}) == "GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    CHECK(RequestText("POST", "/a", "", {}, "h:1") == "POST /a HTTP/1.1\r\nHost: h:1\r\nContent-Length: 0\r\n\r\n");
    CHECK(RequestText("PATCH", "/a", "xy", {{"content-length", "5"}}) ==
          "PATCH /a HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: 5\r\n\r\nxy");
    CHECK(RequestText("PUT", "/a", "1\r\n", {{"Transfer-Encoding", "chunked"}}) ==
          "PUT /a HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n");
}

TEST_CASE("HTTP client: a chunked body is joined, 100 Continue skipped, a body up to the close read",
          "[testing][http]") {
    SECTION("chunked after 100 Continue") {
        Server server(
            Answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n"));
        const auto response = HttpClient(server.port()).Get("/");
        CHECK(response.status == 200);
        CHECK(response.body == "abcdefgh");
    }
    SECTION("no length: the body ends with the connection") {
        Server server([](Server&, Peer& peer) {
            peer.ReadRequest();
            peer.Write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
        });
        HttpClient client(server.port());
        const auto response = client.Get("/");
        CHECK(response.status == 200);
        CHECK(response.body == "until the end");
    }
}

TEST_CASE("HTTP client: the answer to HEAD has no body, whatever its Content-Length says", "[testing][http]") {
    Server server(Answer("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n"));
    HttpClient client(server.port());
    for (int i = 0; i < 2; ++i) {
        const auto response = client.Request("HEAD", "/file");
        CHECK(response.status == 200);
        CHECK(response.Header("content-length") == "42");
        CHECK(response.body.empty());
    }
    CHECK(client.connections_opened() == 1);
}

TEST_CASE("HTTP client: keep-alive reuses one connection; without it each request says close", "[testing][http]") {
    SECTION("kept alive") {
        Server server(Answer("HTTP/1.1 204 No Content\r\n\r\n"));
        HttpClient client(server.port());
        for (int i = 0; i < 3; ++i) CHECK(client.Get("/" + std::to_string(i)).status == 204);
        CHECK(client.connections_opened() == 1);
        CHECK(server.accepted() == 1);
        CHECK(server.requests().size() == 3);
    }
    SECTION("Connection: close, one connection a request") {
        Server server(Answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        HttpOptions options;
        options.keep_alive = false;
        HttpClient client(server.port(), options);
        CHECK(client.Get("/a").status == 200);
        CHECK(client.Get("/b").status == 200);
        CHECK(client.connections_opened() == 2);
        REQUIRE(server.requests().size() == 2);
        CHECK(server.requests()[1].find("\r\nConnection: close\r\n") != std::string::npos);
    }
    SECTION("a server's Connection: close drops the connection, the next request opens another") {
        Server server(Answer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"));
        HttpClient client(server.port());
        CHECK(client.Get("/a").body == "ok");
        CHECK(client.Get("/b").body == "ok");
        CHECK(client.connections_opened() == 2);
    }
    SECTION("a kept-alive connection the server closed in between: the request is retried on a new one") {
        Server server([](Server& s, Peer& peer) {
            s.Record(peer.ReadRequest());
            peer.Write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1");
        });  // answers one request per connection, then closes without saying so
        HttpClient client(server.port());
        CHECK(client.Get("/a").body == "1");
        std::this_thread::sleep_for(50ms);
        CHECK(client.Get("/b").body == "1");
        CHECK(client.connections_opened() == 2);
    }
}

TEST_CASE("HTTP client: the JSON body, {} when empty, an error naming a body that is not JSON", "[testing][http]") {
    HttpResponse response;
    response.status = 502;
    CHECK(response.Json() == nlohmann::json::object());
    CHECK(response.Code().empty());
    response.body = "<html>bad gateway</html>";
    CHECK_THROWS_WITH(response.Json(), Catch::Contains("HTTP 502 response body is not JSON") &&
                                           Catch::Contains("<html>bad gateway</html>"));
    response.body = "[1]";
    CHECK(response.Code().empty());
}

TEST_CASE("HTTP client: failures are bounded and say what failed", "[testing][http]") {
    SECTION("no answer: a timeout naming the server") {
        Server server([](Server&, Peer& peer) {
            peer.ReadRequest();
            peer.ClientClosed();
        });
        HttpClient client(server.port(), Quick());
        const auto started = std::chrono::steady_clock::now();
        const auto error = ErrorOf([&] { client.Get("/slow"); });
        // Two attempts (the retry on a new connection), each bounded by the 300 ms.
        CHECK(std::chrono::steady_clock::now() - started < 3s);
        CHECK_THAT(error, Catch::Contains("GET /slow") && Catch::Contains("timed out after 300 ms") &&
                              Catch::Contains("127.0.0.1:" + std::to_string(server.port())));
    }
    SECTION("a partial response, then the close") {
        Server server([](Server&, Peer& peer) {
            peer.ReadRequest();
            peer.Write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        });
        HttpConnection connection(server.port(), Quick());
        CHECK_THAT(ErrorOf([&] { connection.Request("GET", "/"); }),
                   Catch::Contains("closed the connection before a complete response"));
    }
    SECTION("nothing at all, then the close") {
        Server server([](Server&, Peer& peer) { peer.ReadRequest(); });
        HttpConnection connection(server.port(), Quick());
        CHECK_THAT(ErrorOf([&] { connection.Request("GET", "/"); }), Catch::Contains("(nothing received)"));
    }
    SECTION("not HTTP") {
        Server server([](Server&, Peer& peer) {
            peer.ReadRequest();
            peer.Write("SSH-2.0-OpenSSH\r\n\r\n");
        });
        HttpConnection connection(server.port(), Quick());
        CHECK_THAT(ErrorOf([&] { connection.Request("GET", "/"); }), Catch::Contains("bad response from 127.0.0.1"));
    }
    SECTION("a body over the bound") {
        Server server(Answer("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'x')));
        HttpOptions options = Quick();
        options.max_response_bytes = 1000;
        {
            HttpConnection connection(server.port(), options);
            CHECK_THAT(ErrorOf([&] { connection.Request("GET", "/big"); }),
                       Catch::Contains("GET /big") && Catch::Contains("larger than 1000 bytes"));
        }
        options.max_response_bytes = 2000;
        CHECK(HttpConnection(server.port(), options).Request("GET", "/big").body.size() == 2000);
    }
    SECTION("nobody listening") {
        int port;
        {
            Server closed([](Server&, Peer&) {});
            port = closed.port();
        }
        CHECK_THAT(
            ErrorOf([&] { HttpClient(port, Quick()).Get("/"); }),
            Catch::Contains("cannot connect to 127.0.0.1:" + std::to_string(port)) && Catch::Contains("refused"));
    }
    SECTION("addresses that are not IPv4") {
        HttpOptions options;
        options.host = "localhost";
        CHECK_THROWS_WITH(HttpConnection(80, options), Catch::Contains("'localhost' is not an IPv4 address"));
        options.host = "127.0.0.1";
        options.source = "::1";
        CHECK_THROWS_WITH(HttpConnection(80, options), Catch::Contains("source address '::1'"));
    }
}

TEST_CASE("HTTP client: a connection from a chosen loopback source address", "[testing][http]") {
    std::string seen;
    Server server([&seen](Server&, Peer& peer) {
        seen = peer.address();
        peer.ReadRequest();
        peer.Write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    });
    HttpOptions options;
    options.source = "127.0.0.7";
    CHECK(HttpClient(server.port(), options).Get("/").status == 200);
    CHECK(seen == "127.0.0.7");
}

TEST_CASE("HTTP client: raw bytes, waiting for a text, seeing the server close", "[testing][http]") {
    Server server([](Server&, Peer& peer) {
        peer.ReadRequest();
        peer.Write("HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad");
        std::this_thread::sleep_for(100ms);
    });
    HttpConnection connection(server.port(), Quick());
    connection.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(connection.WaitFor("400 Bad", 2s));
    CHECK_FALSE(connection.WaitFor("never sent", 200ms));
    CHECK(connection.ClosedWithin(2s));
    CHECK_FALSE(connection.WaitFor("anything", 200ms));
}

TEST_CASE("HTTP client: the raw bytes up to the close, bounded in time and size", "[testing][http]") {
    const std::string raw = "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nbody";
    SECTION("read to the close") {
        Server server([raw](Server&, Peer& peer) {
            peer.ReadRequest();
            peer.Write(raw);
        });
        HttpConnection connection(server.port(), Quick());
        connection.Send(RequestText("GET", "/", "", {{"Connection", "close"}}));
        CHECK(connection.ReadUntilClosed(2s) == raw);
    }
    SECTION("a peer that keeps it open") {
        Server server([raw](Server&, Peer& peer) {
            peer.ReadRequest();
            peer.Write(raw);
            peer.ClientClosed();
        });
        HttpConnection connection(server.port(), Quick());
        connection.Send(RequestText("GET", "/", "", {}));
        CHECK_THAT(ErrorOf([&] { connection.ReadUntilClosed(200ms); }),
                   Catch::Contains("did not close the connection within 200 ms (36 bytes received)"));
    }
    SECTION("more than the bound") {
        Server server([](Server&, Peer& peer) {
            peer.ReadRequest();
            peer.Write(std::string(5000, 'x'));
            peer.ClientClosed();
        });
        HttpOptions options = Quick();
        options.max_response_bytes = 100;
        HttpConnection connection(server.port(), options);
        connection.Send(RequestText("GET", "/", "", {}));
        CHECK_THAT(ErrorOf([&] { connection.ReadUntilClosed(2s); }), Catch::Contains("sent more than 100 bytes"));
    }
}
