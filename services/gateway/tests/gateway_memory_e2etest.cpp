// The gateway as its own process (the marketplace-gateway binary) under a long stream of hostile
// requests: every one is a 4xx naming the problem, none is a 5xx, the process keeps serving, and
// its resident memory stays flat. Fake jobs, payments and auth services run in this test process
// (auth serves the JWKS the gateway verifies tokens with).
//
// GATEWAY_MEMORY_REQUESTS sets how many requests are sent (default 100,000); the first tenth warm
// the gateway up before its memory is first read.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "fake_services.hpp"
#include "marketplace/rpc/server.hpp"
#include "marketplace/testing/http_client.hpp"
#include "marketplace/testing/process.hpp"
#include "marketplace/testing/wait.hpp"
#include "marketplace/tokens/test_tokens.hpp"

using namespace marketplace;
using namespace marketplace::gateway::test;
using marketplace::testing::HttpClient;
using marketplace::testing::HttpConnection;
using marketplace::testing::HttpHeaders;
using namespace std::chrono_literals;

namespace {

constexpr char kUserId[] = "0190a1b2-0000-7000-8000-00000000c11e";
constexpr std::int64_t kMaxGrowthKiB = 8 * 1024;

std::unique_ptr<rpc::Server> StartServer(grpc::Service* service, const char* name,
                                         std::shared_ptr<const rpc::TokenVerifier> verifier) {
    rpc::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.drain_timeout = 500ms;
    options.token_verifier = std::move(verifier);
    auto server = std::make_unique<rpc::Server>(options);
    server->AddService(service, name);
    server->Start();
    return server;
}

/// A /proc/<pid>/status field in KiB ("VmRSS", "VmHWM").
std::int64_t StatusKiB(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
    }
    throw std::runtime_error("no " + field + " in /proc/" + std::to_string(pid) + "/status");
}

int RequestCount() {
    const char* value = std::getenv("GATEWAY_MEMORY_REQUESTS");
    if (value == nullptr || *value == '\0') return 100'000;
    const int n = std::atoi(value);
    if (n < 1'000)
        throw std::runtime_error("GATEWAY_MEMORY_REQUESTS: must be at least 1000, got '" + std::string(value) + "'");
    return n;
}

/// The gateway binary as a child process in front of the fakes.
struct GatewayProcess {
    tokens::TestTokens tokens;
    FakeJobs jobs;
    FakePayments payments;
    FakeAuth auth;
    std::unique_ptr<rpc::Server> jobs_server, payments_server, auth_server;
    std::unique_ptr<testing::ChildProcess> child;
    int port = 0;

    GatewayProcess() {
        auth.SetKeys({tokens.key().public_key()});
        jobs_server = StartServer(&jobs, "marketplace.jobs.v1.JobsService", tokens.verifier());
        payments_server = StartServer(&payments, "marketplace.payments.v1.PaymentsService", tokens.verifier());
        auth_server = StartServer(&auth, "marketplace.auth.v1.AuthService", tokens.verifier());
        port = testing::FreePort();
        const auto target = [](const rpc::Server& s) { return "127.0.0.1:" + std::to_string(s.port()); };
        // Under AddressSanitizer freed memory waits in a quarantine (256 MiB by default, plus 1 MiB
        // per thread) before it is reused, which would read as growth: off for this process, so the
        // figure is about the gateway (the in-process gateway tests keep the full checks).
        std::string asan = "quarantine_size_mb=0:thread_local_quarantine_size_kb=0";
        if (const char* outer = std::getenv("ASAN_OPTIONS"); outer != nullptr && *outer != '\0') {
            asan = std::string(outer) + ":" + asan;
        }
        child = std::make_unique<testing::ChildProcess>(
            std::vector<std::string>{GATEWAY_BIN},
            std::map<std::string, std::string>{{"GATEWAY_LISTEN", "127.0.0.1:" + std::to_string(port)},
                                               {"GATEWAY_SERVICES", "auth,jobs,payments"},
                                               {"AUTH_GRPC_TARGET", target(*auth_server)},
                                               {"JOBS_GRPC_TARGET", target(*jobs_server)},
                                               {"PAYMENTS_GRPC_TARGET", target(*payments_server)},
                                               {"GATEWAY_MAX_BODY_BYTES", "65536"},
                                               {"GATEWAY_REQUEST_TIMEOUT", "1s"},
                                               {"GATEWAY_DRAIN_TIMEOUT", "2s"},
                                               {"GATEWAY_RATE_LIMIT_IP_RPS", "0"},
                                               {"GATEWAY_RATE_LIMIT_USER_RPS", "0"},
                                               {"ASAN_OPTIONS", asan}},
            (std::filesystem::temp_directory_path() /
             ("marketplace-gateway-memory-" + std::to_string(::getpid()) + ".log"))
                .string());
        const bool up = testing::WaitUntil(
            [&] {
                try {
                    return HttpClient(port).Get("/healthz").status == 200;
                } catch (const std::exception&) {
                    return false;
                }
            },
            30s, 50ms);
        if (!up) throw std::runtime_error("the gateway did not start:\n" + child->LogTail());
    }
};

}  // namespace

TEST_CASE("Memory: 100,000 hostile requests to the gateway process: all 4xx naming the problem, memory flat",
          "[gateway][e2e][memory]") {
    GatewayProcess g;
    const int total = RequestCount();
    const int warm_up = total / 10;
    const std::string bearer = "Bearer " + g.tokens.For(kUserId, "client");
    const HttpHeaders auth = {{"Authorization", bearer}, {"Idempotency-Key", "k"}};

    std::string deep;
    for (int i = 0; i < 200; ++i) deep += R"({"a":[)";
    const std::string oversized = R"({"title":")" + std::string(70 * 1024, 'x') + "\"}";

    // Each case: what is sent, the status, and what the error message must say.
    struct Case {
        const char* name;
        std::string method, target, body;
        HttpHeaders headers;
        int status;
        std::string says;
    };
    const std::vector<Case> cases = {
        {"malformed JSON", "POST", "/v1/jobs", R"({"title": "x",)", auth, 400, "malformed JSON"},
        {"wrong type", "POST", "/v1/jobs", R"({"title": ["x"]})", auth, 400, "title"},
        {"unknown field", "POST", "/v1/jobs", R"({"title": "x", "admin": true})", auth, 400, "unknown field"},
        {"invalid UTF-8", "POST", "/v1/jobs", "{\"title\":\"\xc3\x28\"}", auth, 400, "UTF-8"},
        {"deep nesting", "POST", "/v1/jobs", deep, auth, 400, "nests deeper"},
        {"past int64 in the body", "POST", "/v1/jobs", R"({"budget_min":{"minor_units":9223372036854775808}})", auth,
         400, "minor_units"},
        {"past int64 in the query",
         "GET",
         "/v1/jobs?budget_min.minor_units=99999999999999999999",
         "",
         {},
         400,
         "int64"},
        {"path traversal", "GET", "/v1/job-templates/..%2F..%2Fadmin", "", {}, 400, "template_id"},
        {"dot segments", "GET", "/v1/jobs/../admin/ledger/audit", "", {}, 400, "'..'"},
        {"not an object", "POST", "/v1/jobs", "[1,2]", auth, 400, "object"},
        {"no token", "GET", "/v1/me/invites", "", {}, 401, "token"},
        {"oversized body", "POST", "/v1/jobs", oversized, auth, 413, "65536"},
        {"huge header", "GET", "/v1/job-templates", "", {{"X-Padding", std::string(20 * 1024, 'p')}}, 431, "header"},
        {"a good request", "GET", "/v1/job-templates", "", {}, 200, ""},
    };

    HttpClient client(g.port);
    std::deque<std::unique_ptr<HttpConnection>> slow;  // slow clients, left to the gateway's request timeout
    int slow_sent = 0, slow_timed_out = 0;
    const auto check_slow = [&](HttpConnection& c) {
        const auto r = c.ReadResponse(5s);
        INFO("slow client -> " << r.status << " " << r.body);
        REQUIRE(r.status == 408);
        REQUIRE(r.Json()["message"].get<std::string>().find("did not arrive within") != std::string::npos);
        ++slow_timed_out;
    };
    std::map<std::string, int> seen;
    std::vector<std::pair<int, std::int64_t>> samples;  // (requests sent, VmRSS KiB)
    std::int64_t rss_after_warm_up = 0, hwm_after_warm_up = 0;
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < total; ++i) {
        if (i % warm_up == 0) samples.emplace_back(i, StatusKiB(g.child->pid(), "VmRSS"));
        if (i == warm_up) {
            rss_after_warm_up = StatusKiB(g.child->pid(), "VmRSS");
            hwm_after_warm_up = StatusKiB(g.child->pid(), "VmHWM");
        }
        if (i % 1000 == 999) {  // a slow client: half a request line, then nothing
            slow.push_back(std::make_unique<HttpConnection>(g.port));
            slow.back()->Send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            ++slow_sent;
            if (slow.size() > 16) {
                check_slow(*slow.front());
                slow.pop_front();
            }
            continue;
        }
        const Case& c = cases[static_cast<std::size_t>(i) % cases.size()];
        const auto r = client.Request(c.method, c.target, c.body, c.headers);
        if (r.status != c.status) {
            FAIL(c.name << ": " << c.method << " " << c.target.substr(0, 80) << " -> " << r.status << " "
                        << r.body.substr(0, 300) << "\n"
                        << g.child->LogTail());
        }
        if (!c.says.empty()) {
            const auto message = r.Json()["message"].get<std::string>();
            if (message.find(c.says) == std::string::npos) {
                FAIL(c.name << ": the message '" << message << "' does not say '" << c.says << "'");
            }
        }
        ++seen[c.name];
    }
    while (!slow.empty()) {
        check_slow(*slow.front());
        slow.pop_front();
    }
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::int64_t rss_end = StatusKiB(g.child->pid(), "VmRSS");
    const std::int64_t hwm_end = StatusKiB(g.child->pid(), "VmHWM");

    std::cout << "Gateway memory under " << total << " hostile requests (" << slow_sent << " of them slow clients, "
              << client.connections_opened() << " connections) in " << elapsed << " s:\n"
              << "  VmRSS after " << warm_up << " (warm-up): " << rss_after_warm_up << " KiB; at the end: " << rss_end
              << " KiB; growth " << (rss_end - rss_after_warm_up) << " KiB\n"
              << "  VmHWM after warm-up: " << hwm_after_warm_up << " KiB; at the end: " << hwm_end << " KiB\n"
              << "  VmRSS (KiB) after each tenth:";
    for (const auto& [sent, kib] : samples) std::cout << " " << sent << ":" << kib;
    std::cout << " " << total << ":" << rss_end << "\n";
    std::cout.flush();

    CHECK(slow_timed_out == slow_sent);
    for (const auto& c : cases) CHECK(seen[c.name] > 0);
    CHECK(client.Get("/v1/job-templates").status == 200);                                // still serving
    CHECK(g.jobs.calls.size() == static_cast<std::size_t>(seen["a good request"] + 1));  // no bad one reached it
    CHECK(rss_end - rss_after_warm_up < kMaxGrowthKiB);
    CHECK(hwm_end - hwm_after_warm_up < kMaxGrowthKiB);
    // A clean stop: drained, exit status 0 (under the sanitizers: no leak report either).
    const int status = g.child->Stop(15s);
    INFO(g.child->LogTail());
    CHECK(status == 0);
}
