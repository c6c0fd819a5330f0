// The auth service behind the real gateway, as processes, reached over HTTP from several loopback
// addresses (all of 127.0.0.0/8 is this machine): 127.0.0.2 plays a trusted load balancer
// (GATEWAY_TRUSTED_PROXIES) that sets X-Forwarded-For; other 127.0.0.x addresses are clients that
// reach the gateway directly. What a user meets: whose failed logins lock whom out, forged
// X-Forwarded-For, the per-address connection cap, bounded password hashing, refresh replays, how
// long a lockout can last, and the gateway answering while auth is stuck.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "marketplace/core/clock.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/testing/http_client.hpp"
#include "marketplace/testing/process.hpp"
#include "marketplace/tokens/jwt.hpp"

namespace {

using json = nlohmann::json;
namespace testing = marketplace::testing;
namespace core = marketplace::core;
using Reply = testing::HttpResponse;

// A connection from `source` (a loopback address) to 127.0.0.1:`port`, each response within 30 s.
testing::HttpConnection Connect(const std::string& source, int port) {
    testing::HttpOptions options;
    options.source = source;
    options.timeout = std::chrono::seconds(30);
    return testing::HttpConnection(port, options);
}

// One request on `connection` (Connection: close; a non-empty `body` as application/json).
Reply Exchange(testing::HttpConnection connection, const std::string& method, const std::string& path,
               const std::string& body, const std::map<std::string, std::string>& headers) {
    testing::HttpHeaders all(headers.begin(), headers.end());
    all.emplace_back("Connection", "close");
    if (!body.empty()) all.emplace_back("Content-Type", "application/json");
    return connection.Request(method, path, body, all);
}

constexpr char kProxy[] = "127.0.0.2";  // the trusted load balancer
constexpr char kPassword[] = "correct horse battery staple";
constexpr char kSecret[] = "auth-edge-test-forwarding-secret";
constexpr int kMaxFailuresPerSource = 6;
constexpr int kMaxTakenPerSource = 3;
constexpr int kConnectionsPerAddress = 3;

class Stack final {
public:
    static Stack& Get() {
        static Stack stack;
        return stack;
    }

    ~Stack() {
        if (gateway_) gateway_->Stop(std::chrono::seconds(10));
        if (auth_) auth_->Stop(std::chrono::seconds(10));
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    // One request through the gateway from `source`; `forwarded_for` is sent as X-Forwarded-For.
    Reply Http(const std::string& source, const std::string& method, const std::string& path, const json& body = {},
               const std::string& forwarded_for = "", std::map<std::string, std::string> headers = {}) {
        if (!forwarded_for.empty()) headers["X-Forwarded-For"] = forwarded_for;
        if (method == "POST" && !headers.count("Idempotency-Key")) headers["Idempotency-Key"] = core::NewUuidV4();
        return Exchange(Connect(source, gateway_port_), method, path, body.is_null() ? "" : body.dump(), headers);
    }
    // Through the trusted proxy, for the client at `client`.
    Reply Via(const std::string& client, const std::string& method, const std::string& path, const json& body = {},
              std::map<std::string, std::string> headers = {}) {
        return Http(kProxy, method, path, body, client, std::move(headers));
    }

    // A sample of auth's GET /metrics ("name{labels}" prefix match), 0 when absent.
    double Metric(const std::string& series) {
        const auto reply = Exchange(Connect("127.0.0.1", auth_metrics_port_), "GET", "/metrics", "", {});
        std::size_t at = 0;
        while ((at = reply.body.find(series, at)) != std::string::npos) {
            if (at == 0 || reply.body[at - 1] == '\n') {
                const auto eol = reply.body.find('\n', at);
                const auto line = reply.body.substr(at, eol - at);
                return std::stod(line.substr(line.rfind(' ') + 1));
            }
            at += series.size();
        }
        return 0;
    }

    int gateway_port() const { return gateway_port_; }
    pid_t auth_pid() const { return auth_->pid(); }

    // Moves the clock of auth and the gateway forward (they re-read the offset file within 20 ms).
    void AdvanceClock(std::chrono::seconds by) {
        offset_ += by;
        core::OffsetFileClock::WriteOffset(clock_file_, offset_);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }

    std::string Logs() const { return "--- auth\n" + auth_->LogTail(20) + "--- gateway\n" + gateway_->LogTail(20); }

private:
    Stack() {
        dir_ = std::filesystem::temp_directory_path() / ("marketplace-auth-edge-" + core::RandomHex(4));
        std::filesystem::create_directories(dir_);
        const std::string prefix = "authedge-" + core::RandomHex(4) + ".";
        testing::BrokerControl().CreateTopic(prefix + "auth.events.v1", 1);
        database_ = std::make_unique<testing::TestDatabase>("e2e_auth_edge");
        const int auth_port = testing::FreePort();
        auth_metrics_port_ = testing::FreePort();
        gateway_port_ = testing::FreePort();
        const std::string auth_target = "127.0.0.1:" + std::to_string(auth_port);
        clock_file_ = dir_ + "/clock-offset";
        core::OffsetFileClock::WriteOffset(clock_file_, offset_);

        auto env = database_->ServiceEnv();
        env["MARKETPLACE_CLOCK_OFFSET_FILE"] = clock_file_;
        env["GRPC_LISTEN"] = auth_target;
        env["METRICS_LISTEN"] = "127.0.0.1:" + std::to_string(auth_metrics_port_);
        env["KAFKA_BOOTSTRAP"] = testing::BrokerControl::Bootstrap();
        env["KAFKA_TOPIC_PREFIX"] = prefix;
        env["AUTH_GRPC_TARGET"] = auth_target;
        env["AUTH_GATEWAY_SECRET"] = kSecret;
        env["AUTH_SEED_KEY"] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        env["AUTH_PASSWORD_MAX_CONCURRENT"] = "1";
        env["AUTH_PASSWORD_MEMLIMIT_KIB"] = "16384";
        env["AUTH_LOGIN_MAX_FAILURES_PER_SOURCE"] = std::to_string(kMaxFailuresPerSource);
        env["AUTH_REGISTER_MAX_TAKEN_PER_SOURCE"] = std::to_string(kMaxTakenPerSource);
        auth_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{AUTH_SERVICE_BIN}, env,
                                                        dir_ + "/auth.log");
        // The gateway fetches the JWKS at start: start it once auth listens (after its migrations).
        const auto auth_until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        for (bool listening = false; !listening;) {
            if (!auth_->Running() || std::chrono::steady_clock::now() > auth_until) {
                throw std::runtime_error("auth did not start\n" + auth_->LogTail(30));
            }
            try {
                Connect("127.0.0.1", auth_port);
                listening = true;
            } catch (const std::exception&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }

        std::map<std::string, std::string> gw;
        gw["GATEWAY_LISTEN"] = "127.0.0.1:" + std::to_string(gateway_port_);
        gw["METRICS_LISTEN"] = "off";
        gw["GATEWAY_SERVICES"] = "auth";
        gw["AUTH_GRPC_TARGET"] = auth_target;
        gw["GATEWAY_TRUSTED_PROXIES"] = kProxy;
        gw["GATEWAY_FORWARDING_SECRET"] = kSecret;
        gw["GATEWAY_MAX_CONNECTIONS_PER_ADDRESS"] = std::to_string(kConnectionsPerAddress);
        gw["GATEWAY_RATE_LIMIT_IP_RPS"] = "1";
        gw["GATEWAY_RATE_LIMIT_IP_BURST"] = "60";
        gw["GATEWAY_RATE_LIMIT_USER_RPS"] = "0";
        gw["GATEWAY_UPSTREAM_TIMEOUT"] = "20s";
        gw["MARKETPLACE_CLOCK_OFFSET_FILE"] = clock_file_;
        // A fetch of the token keys may take this long when auth hangs: were it made on an I/O
        // thread, that thread would be stuck for it (the test of that stops auth).
        gw["AUTH_JWKS_TIMEOUT"] = "60s";
        gateway_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{GATEWAY_SERVICE_BIN}, gw,
                                                           dir_ + "/gateway.log");
        // Ready once the gateway answers /readyz: auth serves, and the gateway reaches it.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < until) {
            try {
                if (Exchange(Connect("127.0.0.1", gateway_port_), "GET", "/readyz", "", {}).status == 200) return;
            } catch (const std::exception&) {
            }
            if (!auth_->Running() || !gateway_->Running()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        throw std::runtime_error("the stack did not become ready\n" + Logs());
    }

    std::string dir_;
    std::unique_ptr<testing::TestDatabase> database_;
    std::unique_ptr<testing::ChildProcess> auth_;
    std::unique_ptr<testing::ChildProcess> gateway_;
    int auth_metrics_port_ = 0;
    int gateway_port_ = 0;
    std::string clock_file_;
    std::chrono::seconds offset_{0};
};

std::string NewEmail(const std::string& tag) { return tag + "-" + core::RandomHex(5) + "@edge.marketplace.test"; }

json Registration(const std::string& email) {
    return {{"email", email}, {"password", kPassword}, {"role", "ROLE_CLIENT"}, {"display_name", "Edge Tester"}};
}

json Credentials(const std::string& email, const std::string& password = kPassword) {
    return {{"email", email}, {"password", password}};
}

// A fresh client address (100.64.0.0/10, shared address space) for each caller that does not care.
std::string FreshAddress() {
    static std::atomic<int> next{1};
    const int n = next++;
    return "100.64." + std::to_string(n / 256) + "." + std::to_string(n % 256);
}

// Registers through the proxy as `client` (a fresh address unless given).
std::string Register(std::string client = "") {
    auto& stack = Stack::Get();
    if (client.empty()) client = FreshAddress();
    const auto email = NewEmail("user");
    // One argon2id slot: a concurrent test's hashing may refuse us; try again.
    for (int attempt = 0; attempt < 50; ++attempt) {
        const auto reply = stack.Via(client, "POST", "/v1/auth/register", Registration(email));
        if (reply.status == 200) return email;
        INFO(reply.body);
        REQUIRE(reply.status == 429);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("registration kept being refused\n" + stack.Logs());
    return {};
}

}  // namespace

TEST_CASE("Gateway+auth: failed logins from one client address do not lock out a login from another",
          "[e2e][auth][gateway]") {
    auto& stack = Stack::Get();
    const auto victim = Register();
    // A credential-stuffing run from one address behind the load balancer: other accounts each time.
    for (int i = 0; i < kMaxFailuresPerSource; ++i) {
        const auto reply =
            stack.Via("203.0.113.10", "POST", "/v1/auth/login", Credentials(NewEmail("guess"), "wrong guess!"));
        INFO(reply.body);
        CHECK(reply.status == 401);
    }
    const auto blocked = stack.Via("203.0.113.10", "POST", "/v1/auth/login", Credentials(victim));
    CHECK(blocked.status == 429);
    CHECK(blocked.Code() == "RESOURCE_EXHAUSTED");
    // Everyone else, behind the same load balancer or not, logs in.
    const auto other = stack.Via("203.0.113.11", "POST", "/v1/auth/login", Credentials(victim));
    INFO(other.body);
    CHECK(other.status == 200);
    CHECK(stack.Http("127.0.0.4", "POST", "/v1/auth/login", Credentials(victim)).status == 200);
}

TEST_CASE("Gateway+auth: X-Forwarded-For from a peer that is not a trusted proxy is ignored", "[e2e][auth][gateway]") {
    auto& stack = Stack::Get();
    const auto victim = Register();
    // A client at 127.0.0.3 forges a new X-Forwarded-For for every guess: all count against 127.0.0.3.
    for (int i = 0; i < kMaxFailuresPerSource; ++i) {
        const auto reply =
            stack.Http("127.0.0.3", "POST", "/v1/auth/login", Credentials(NewEmail("guess"), "wrong guess!"),
                       "203.0.113." + std::to_string(20 + i));
        CHECK(reply.status == 401);
    }
    CHECK(stack.Http("127.0.0.3", "POST", "/v1/auth/login", Credentials(victim), "203.0.113.99").status == 429);
    // The same address, forwarded by the trusted proxy, is the same (blocked) source...
    CHECK(stack.Via("127.0.0.3", "POST", "/v1/auth/login", Credentials(victim)).status == 429);
    // ...while the forged addresses were never charged.
    CHECK(stack.Via("203.0.113.20", "POST", "/v1/auth/login", Credentials(victim)).status == 200);
}

TEST_CASE("Gateway+auth: an account locked from one address still opens with the password from another",
          "[e2e][auth][gateway]") {
    auto& stack = Stack::Get();
    const auto victim = Register();
    for (int i = 0; i < 5; ++i) {
        CHECK(stack.Via("203.0.113.30", "POST", "/v1/auth/login", Credentials(victim, "wrong guess!")).status == 401);
    }
    const auto locked = stack.Via("203.0.113.30", "POST", "/v1/auth/login", Credentials(victim));
    CHECK(locked.status == 429);
    CHECK(locked.Json().value("message", "").find("too many failed logins") != std::string::npos);
    CHECK(stack.Via("203.0.113.31", "POST", "/v1/auth/login", Credentials(victim)).status == 200);
}

TEST_CASE("Gateway+auth: a refresh replayed with its idempotency key after logout is 401 and hands out nothing",
          "[e2e][auth][gateway]") {
    auto& stack = Stack::Get();
    const auto email = Register();
    const auto login = stack.Via("203.0.113.40", "POST", "/v1/auth/login", Credentials(email));
    REQUIRE(login.status == 200);
    const std::string refresh_token = login.Json()["session"]["refresh_token"];
    const std::map<std::string, std::string> key{{"Idempotency-Key", core::NewUuidV4()}};
    const auto refreshed =
        stack.Via("203.0.113.40", "POST", "/v1/auth/refresh", {{"refresh_token", refresh_token}}, key);
    REQUIRE(refreshed.status == 200);
    const std::string newest = refreshed.Json()["session"]["refresh_token"];
    const std::string access = refreshed.Json()["session"]["access_token"];
    const auto logout = stack.Via("203.0.113.40", "POST", "/v1/auth/logout", {{"refresh_token", newest}},
                                  {{"Authorization", "Bearer " + access}});
    INFO(logout.body);
    REQUIRE(logout.status == 200);

    const auto replay = stack.Via("203.0.113.40", "POST", "/v1/auth/refresh", {{"refresh_token", refresh_token}}, key);
    CHECK(replay.status == 401);
    CHECK(replay.Code() == "UNAUTHENTICATED");
    CHECK(replay.body.find("access_token") == std::string::npos);
}

TEST_CASE("Gateway+auth: parallel registrations never run more argon2id hashes at once than the bound",
          "[e2e][auth][gateway]") {
    auto& stack = Stack::Get();
    const double hashes_before = stack.Metric("marketplace_auth_password_hashes_total{operation=\"hash\"");
    const double refused_before = stack.Metric("marketplace_auth_password_hashing_refused_total");
    constexpr int kCalls = 8;
    std::vector<int> statuses(kCalls);
    std::vector<std::string> codes(kCalls);
    std::vector<std::thread> threads;
    for (int i = 0; i < kCalls; ++i) {
        threads.emplace_back([&, i] {
            const auto reply = stack.Via("198.51.100." + std::to_string(100 + i), "POST", "/v1/auth/register",
                                         Registration(NewEmail("burst")));
            statuses[i] = reply.status;
            codes[i] = reply.status == 200 ? "" : reply.Code();
        });
    }
    for (auto& t : threads) t.join();
    int ok = 0;
    int exhausted = 0;
    for (int i = 0; i < kCalls; ++i) {
        INFO("call " << i << ": " << statuses[i] << " " << codes[i]);
        CHECK((statuses[i] == 200 || (statuses[i] == 429 && codes[i] == "RESOURCE_EXHAUSTED")));
        ok += statuses[i] == 200;
        exhausted += statuses[i] == 429;
    }
    CHECK(ok >= 1);
    CHECK(stack.Metric("marketplace_auth_password_hashing_limit") == 1);
    CHECK(stack.Metric("marketplace_auth_password_hashing_max_in_flight") == 1);
    // Every refusal was the full semaphore, and every success hashed once.
    CHECK(stack.Metric("marketplace_auth_password_hashing_refused_total") - refused_before == exhausted);
    CHECK(stack.Metric("marketplace_auth_password_hashes_total{operation=\"hash\"") - hashes_before == ok);
}

TEST_CASE("Gateway+auth: an invalid registration is refused without hashing; a taken email is answered like a free one",
          "[e2e][auth][gateway]") {
    auto& stack = Stack::Get();
    const auto email = Register();
    const double hashes = stack.Metric("marketplace_auth_password_hashes_total{operation=\"hash\"");
    auto invalid = Registration(NewEmail("bad"));
    invalid["password"] = "short";
    const auto bad = stack.Via("198.51.100.20", "POST", "/v1/auth/register", invalid);
    CHECK(bad.status == 400);
    CHECK(bad.Json().value("field", "") == "password");
    CHECK(stack.Metric("marketplace_auth_password_hashes_total{operation=\"hash\"") == hashes);

    // The taken email: the same status, the same fields, the same hashing work as a free one; the id
    // it names belongs to no account (the owner's own login shows the real one).
    const auto free_email = NewEmail("free");
    Reply taken, fresh;
    for (int attempt = 0; attempt < 50; ++attempt) {  // one argon2id slot: another test's hash may hold it
        taken = stack.Via("198.51.100.20", "POST", "/v1/auth/register", Registration(email));
        if (taken.status != 429) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (int attempt = 0; attempt < 50; ++attempt) {
        fresh = stack.Via("198.51.100.21", "POST", "/v1/auth/register", Registration(free_email));
        if (fresh.status != 429) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    INFO(taken.body << "\n" << fresh.body);
    REQUIRE(taken.status == 200);
    REQUIRE(fresh.status == 200);
    const json taken_body = taken.Json();
    const json fresh_body = fresh.Json();
    std::vector<std::string> taken_keys, fresh_keys;
    for (auto it = taken_body.begin(); it != taken_body.end(); ++it) taken_keys.push_back(it.key());
    for (auto it = fresh_body.begin(); it != fresh_body.end(); ++it) fresh_keys.push_back(it.key());
    CHECK(taken_keys == fresh_keys);
    CHECK(taken.Json().at("email") == email);
    CHECK(stack.Metric("marketplace_auth_password_hashes_total{operation=\"hash\"") == hashes + 2);
    const auto owner = stack.Via(FreshAddress(), "POST", "/v1/auth/login", Credentials(email));
    REQUIRE(owner.status == 200);
    CHECK(owner.Json().at("session").at("user_id") != taken.Json().at("user_id"));
}

TEST_CASE("Gateway+auth: an address that keeps registering taken emails is throttled; others still register",
          "[e2e][auth][gateway]") {
    auto& stack = Stack::Get();
    const auto email = Register();
    for (int i = 0; i < kMaxTakenPerSource; ++i) {
        CHECK(stack.Via("203.0.113.50", "POST", "/v1/auth/register", Registration(email)).status == 200);
    }
    // Now taken and free emails get the same answer there too.
    CHECK(stack.Via("203.0.113.50", "POST", "/v1/auth/register", Registration(email)).status == 429);
    CHECK(stack.Via("203.0.113.50", "POST", "/v1/auth/register", Registration(NewEmail("free"))).status == 429);
    Register("203.0.113.51");
}

TEST_CASE("Gateway: open connections from one address are capped with a 429; other addresses are served",
          "[e2e][gateway]") {
    auto& stack = Stack::Get();
    const int port = stack.gateway_port();
    std::vector<testing::HttpConnection> idle;
    for (int i = 0; i < kConnectionsPerAddress; ++i) idle.push_back(Connect("127.0.0.9", port));
    const auto refused = Exchange(Connect("127.0.0.9", port), "GET", "/healthz", "", {});
    CHECK(refused.status == 429);
    CHECK(refused.Code() == "RESOURCE_EXHAUSTED");
    CHECK(refused.headers.at("retry-after") == "1");
    CHECK(Exchange(Connect("127.0.0.10", port), "GET", "/healthz", "", {}).status == 200);
    // The trusted proxy carries many clients: it is not capped.
    std::vector<testing::HttpConnection> proxy_idle;
    for (int i = 0; i < kConnectionsPerAddress; ++i) proxy_idle.push_back(Connect(kProxy, port));
    CHECK(Exchange(Connect(kProxy, port), "GET", "/healthz", "", {}).status == 200);
    idle.clear();
    proxy_idle.clear();
}

TEST_CASE("Gateway: the per-address rate limit keys on the client's address, as forwarded by a trusted proxy",
          "[e2e][gateway]") {
    auto& stack = Stack::Get();
    int status = 200;
    for (int sent = 0; status != 429 && sent < 1000; ++sent)
        status = stack.Via("203.0.113.60", "GET", "/openapi.json").status;
    CHECK(status == 429);
    CHECK(stack.Via("203.0.113.61", "GET", "/openapi.json").status == 200);
}

TEST_CASE(
    "Gateway+auth: a guesser at other addresses cannot keep the owner's address locked; a lock ends with its window",
    "[e2e][auth][gateway]") {
    auto& stack = Stack::Get();
    const auto email = Register();
    const std::string owner = FreshAddress();
    // The owner mistypes five times: their own address is locked, the right password included.
    for (int i = 0; i < 5; ++i) {
        CHECK(stack.Via(owner, "POST", "/v1/auth/login", Credentials(email, "wrong password " + std::to_string(i)))
                  .status == 401);
    }
    CHECK(stack.Via(owner, "POST", "/v1/auth/login", Credentials(email)).status == 429);

    // Guessers at other addresses keep failing on the account, before and after the window passes.
    const auto guess = [&] {
        for (int g = 0; g < 4; ++g) {
            const auto reply = stack.Via(FreshAddress(), "POST", "/v1/auth/login",
                                         Credentials(email, "guess" + std::to_string(g) + "-password"));
            CHECK(reply.status == 401);
        }
    };
    guess();
    CHECK(stack.Via(owner, "POST", "/v1/auth/login", Credentials(email)).status == 429);
    stack.AdvanceClock(std::chrono::minutes(15) + std::chrono::seconds(1));  // AUTH_LOGIN_FAILURE_WINDOW
    guess();
    // The owner's lock lasted one window: the guessers' failures neither extended it nor moved it.
    const auto back = stack.Via(owner, "POST", "/v1/auth/login", Credentials(email));
    INFO(back.body << "\n" << stack.Logs());
    CHECK(back.status == 200);
}

TEST_CASE("Gateway: with auth hung, a token-key fetch never holds up the gateway: it answers every request at once",
          "[e2e][gateway][auth]") {
    auto& stack = Stack::Get();
    // A token signed by a key auth never had: its kid is unknown, so the gateway must ask auth.
    const auto stranger_key = marketplace::tokens::SigningKey::Generate();
    const marketplace::tokens::JwtIssuer issuer(stranger_key, marketplace::tokens::kDefaultIssuer);
    const std::string token = issuer.Issue(core::NewUuidV7(), "client");
    const std::map<std::string, std::string> bearer{{"Authorization", "Bearer " + token}};

    // auth stops answering (SIGSTOP: connections open, nothing comes back): a key fetch would wait
    // for the gateway's AUTH_JWKS_TIMEOUT (60 s) if it ran on an I/O thread.
    REQUIRE(::kill(stack.auth_pid(), SIGSTOP) == 0);
    struct Resume {
        pid_t pid;
        ~Resume() { ::kill(pid, SIGCONT); }
    } resume{stack.auth_pid()};

    // More unknown-kid requests at once than the gateway has I/O threads, and plain requests
    // among them: each is answered (the loopback client gives up after 30 s), the unknown kid with
    // 503 "try again" while the background fetch is under way, or 401 once the refetch budget is spent.
    std::vector<std::thread> callers;
    std::vector<int> statuses(8, 0);
    std::vector<std::string> errors(8);
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        callers.emplace_back([&, i] {
            // A connection the loopback client could not complete is tried once more (a refused
            // connect is not the gateway's answer); an answer that never comes stays -1.
            for (int attempt = 0; attempt < 2 && statuses[i] <= 0; ++attempt) {
                try {
                    statuses[i] =
                        stack.Via(FreshAddress(), "GET", "/v1/users/" + core::NewUuidV7() + "/profile", {}, bearer)
                            .status;
                } catch (const std::exception& e) {
                    statuses[i] = -1;
                    errors[i] = e.what();
                }
            }
        });
    }
    for (auto& t : callers) t.join();
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        INFO("status " << statuses[i] << " " << errors[i]);
        CHECK((statuses[i] == 503 || statuses[i] == 401));
    }
    const auto health = stack.Via(FreshAddress(), "GET", "/healthz");
    CHECK(health.status == 200);
    const auto spec = stack.Via(FreshAddress(), "GET", "/openapi.json");
    CHECK(spec.status == 200);
}
