// The money path end to end through the HTTP/JSON gateway only, the way curl would drive it: the
// four services and the gateway as processes, a plain blocking HTTP/1.1 client over POSIX sockets,
// JSON built and read with nlohmann_json. MoneyStack is used only to start the processes (and for
// the seeded admin's credentials); every request of the stories below goes over HTTP.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "marketplace/core/ids.hpp"
#include "marketplace/testing/wait.hpp"
#include "money_stack.hpp"

using namespace std::chrono_literals;
using json = nlohmann::json;
using marketplace::e2e::MoneyStack;

namespace {

// ---------------------------------------------------------------------------------------------
// A small blocking HTTP/1.1 client: one connection per request (Connection: close), bodies with
// Content-Length (chunked responses are decoded too), a receive/send timeout on the socket.

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;

    json Json() const {
        try {
            return json::parse(body);
        } catch (const std::exception& e) {
            throw std::runtime_error("response body is not JSON (" + std::string(e.what()) + "): " + body);
        }
    }
    std::string Header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string Upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string Trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

class Socket final {
public:
    Socket(const std::string& host, int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error("socket() failed");
        timeval tv{20, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) throw std::runtime_error("bad address " + host);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            throw std::runtime_error("cannot connect to " + host + ":" + std::to_string(port));
        }
    }
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    void SendAll(const std::string& data) {
        std::size_t sent = 0;
        while (sent < data.size()) {
            const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send failed");
            sent += static_cast<std::size_t>(n);
        }
    }
    /// Appends what arrives to `buffer`; false at end of stream.
    bool Receive(std::string& buffer) {
        char chunk[16384];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n < 0) throw std::runtime_error("recv failed or timed out");
        if (n == 0) return false;
        buffer.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

private:
    int fd_ = -1;
};

struct Request {
    std::string method;
    std::string path;
    std::string token;                // Bearer, when not empty
    std::optional<std::string> body;  // raw bytes sent as application/json
    std::string idempotency_key;      // header sent when not empty
    std::map<std::string, std::string> extra_headers;
};

HttpResponse Send(const Request& r) {
    auto& stack = MoneyStack::Get();
    const std::string host = stack.gateway_host();
    const int port = stack.gateway_port();
    std::string wire = r.method + " " + r.path + " HTTP/1.1\r\n";
    wire += "Host: " + host + ":" + std::to_string(port) + "\r\n";
    wire += "User-Agent: marketplace-e2e-http/1\r\nAccept: application/json\r\nConnection: close\r\n";
    if (!r.token.empty()) wire += "Authorization: Bearer " + r.token + "\r\n";
    if (!r.idempotency_key.empty()) wire += "Idempotency-Key: " + r.idempotency_key + "\r\n";
    for (const auto& [k, v] : r.extra_headers) wire += k + ": " + v + "\r\n";
    if (r.body) {
        wire += "Content-Type: application/json\r\nContent-Length: " + std::to_string(r.body->size()) + "\r\n\r\n";
        wire += *r.body;
    } else if (r.method == "POST" || r.method == "PATCH" || r.method == "PUT") {
        wire += "Content-Length: 0\r\n\r\n";
    } else {
        wire += "\r\n";
    }

    Socket socket(host, port);
    socket.SendAll(wire);
    std::string in;
    std::size_t header_end = std::string::npos;
    while ((header_end = in.find("\r\n\r\n")) == std::string::npos) {
        if (!socket.Receive(in)) throw std::runtime_error("connection closed before the response headers: " + in);
    }
    HttpResponse response;
    const std::string head = in.substr(0, header_end);
    std::string rest = in.substr(header_end + 4);
    std::size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) {
        throw std::runtime_error("not an HTTP response: " + status_line);
    }
    response.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
        const std::size_t next = head.find("\r\n", line_end + 2);
        const std::string line =
            head.substr(line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
        const auto colon = line.find(':');
        if (colon != std::string::npos) response.headers[Lower(line.substr(0, colon))] = Trim(line.substr(colon + 1));
        line_end = next;
    }
    const std::string length = response.Header("content-length");
    if (Lower(response.Header("transfer-encoding")).find("chunked") != std::string::npos) {
        // Read to the end (Connection: close), then decode the chunks.
        while (socket.Receive(rest)) {
        }
        std::size_t at = 0;
        for (;;) {
            const auto eol = rest.find("\r\n", at);
            if (eol == std::string::npos) throw std::runtime_error("truncated chunked body");
            const std::size_t size = std::stoul(rest.substr(at, eol - at), nullptr, 16);
            if (size == 0) break;
            response.body += rest.substr(eol + 2, size);
            at = eol + 2 + size + 2;
        }
    } else if (!length.empty()) {
        const std::size_t want = std::stoul(length);
        while (rest.size() < want) {
            if (!socket.Receive(rest)) throw std::runtime_error("connection closed inside the body");
        }
        response.body = rest.substr(0, want);
    } else if (r.method != "HEAD" && response.status >= 200 && response.status != 204 && response.status != 304) {
        while (socket.Receive(rest)) {
        }
        response.body = rest;
    }
    return response;
}

std::string Describe(const Request& r, const HttpResponse& resp) {
    return r.method + " " + r.path + " -> " + std::to_string(resp.status) + " " + resp.body + "\n" +
           MoneyStack::Get().Logs();
}

/// Sends and requires `want`; returns the JSON body.
json Expect(int want, const Request& r) {
    const auto resp = Send(r);
    if (resp.status != want) {
        throw std::runtime_error("expected " + std::to_string(want) + ": " + Describe(r, resp));
    }
    return resp.body.empty() ? json::object() : resp.Json();
}

json Get(const std::string& token, const std::string& path) {
    return Expect(200, Request{"GET", path, token, {}, {}, {}});
}

json Post(const std::string& token, const std::string& path, const json& body) {
    return Expect(200, Request{"POST", path, token, body.dump(), marketplace::core::NewUuidV4(), {}});
}

/// int64 fields arrive as JSON strings (proto3 JSON); absent means 0.
std::int64_t Int64(const json& j, const std::string& key) {
    if (!j.is_object() || !j.contains(key)) return 0;
    const auto& v = j.at(key);
    if (v.is_string()) return std::stoll(v.get<std::string>());
    return v.get<std::int64_t>();
}

json Eur(std::int64_t minor) { return json{{"minor_units", std::to_string(minor)}, {"currency", "EUR"}}; }

std::string Rfc3339(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// ---------------------------------------------------------------------------------------------
// The story, over HTTP.

struct HttpUser {
    std::string id, email, password, token;
};

void Login(HttpUser& u) {
    const auto resp = Expect(
        200, Request{"POST", "/v1/auth/login", "", json{{"email", u.email}, {"password", u.password}}.dump(), {}, {}});
    u.token = resp.at("session").at("access_token").get<std::string>();
    u.id = resp.at("session").at("user_id").get<std::string>();
    REQUIRE_FALSE(u.token.empty());
}

HttpUser RegisterUser(const std::string& role, const std::string& name) {
    HttpUser u;
    u.email = name + "-" + marketplace::core::RandomHex(5) + "@http.e2e.marketplace.test";
    u.password = "correct horse battery " + marketplace::core::RandomHex(3);
    const json body{{"email", u.email}, {"password", u.password}, {"role", role}, {"display_name", name}};
    const auto resp = Post("", "/v1/auth/register", body);
    const std::string registered = resp.at("user_id").get<std::string>();
    Login(u);
    CHECK(u.id == registered);
    return u;
}

HttpUser AdminUser() {
    const auto& admin = MoneyStack::Get().Admin();  // only its configured credentials
    HttpUser u{"", admin.email, admin.password, ""};
    Login(u);
    return u;
}

json Balance(const HttpUser& u) {
    const auto resp = Get(u.token, "/v1/wallet/balances");
    for (const auto& b : resp.value("balances", json::array())) {
        if (b.value("currency", "") == "EUR") return b;
    }
    return json::object();
}
std::int64_t Available(const HttpUser& u) {
    return Int64(Balance(u).value("available", json::object()), "minor_units");
}
std::int64_t InEscrow(const HttpUser& u) { return Int64(Balance(u).value("in_escrow", json::object()), "minor_units"); }

std::string MilestoneState(const HttpUser& u, const std::string& milestone) {
    return Get(u.token, "/v1/milestones/" + milestone).at("milestone").value("state", "");
}

void WaitMilestone(const HttpUser& u, const std::string& milestone, const std::string& state) {
    std::string seen;
    const bool reached = marketplace::testing::WaitUntil(
        [&] {
            seen = MilestoneState(u, milestone);
            return seen == state;
        },
        30s, 100ms);
    if (!reached) {
        throw std::runtime_error("milestone " + milestone + " stayed " + seen + ", expected " + state + "\n" +
                                 MoneyStack::Get().Logs());
    }
}

struct HttpDeal {
    HttpUser client, freelancer;
    std::string template_id, job_id, proposal_id, contract_id, milestone_id;
};

/// Register both, post a job from a template, propose, accept, wait for the contract, sign its
/// statement of work as both parties, and deposit `deposit` (confirmed asynchronously).
HttpDeal NewHttpDeal(std::int64_t amount, std::int64_t deposit) {
    HttpDeal d;
    d.client = RegisterUser("ROLE_CLIENT", "client");
    d.freelancer = RegisterUser("ROLE_FREELANCER", "freelancer");

    // A template, as a client browsing them would pick one (public: no token).
    const auto templates = Get("", "/v1/job-templates").value("templates", json::array());
    REQUIRE_FALSE(templates.empty());
    d.template_id = templates.at(0).at("template_id").get<std::string>();
    const auto one = Get("", "/v1/job-templates/" + d.template_id);
    CHECK(one.at("project_template").at("template_id") == d.template_id);

    const json job{{"title", "SaaS MVP for " + d.client.email},
                   {"description", "Build a SaaS MVP with authentication, billing and an admin panel."},
                   {"budget_type", "BUDGET_TYPE_FIXED"},
                   {"budget_min", Eur(50000)},
                   {"budget_max", Eur(500000)},
                   {"template_id", d.template_id}};
    d.job_id = Post(d.client.token, "/v1/jobs", job).at("job").at("job_id").get<std::string>();

    const json proposal{
        {"cover_letter", "I have shipped three SaaS products of this shape."},
        {"milestones", json::array({json{{"title", "Milestone 1"},
                                         {"description", "Deliverables of milestone 1"},
                                         {"amount", Eur(amount)},
                                         {"due_date", Rfc3339(std::chrono::system_clock::now() + 30 * 24h)},
                                         {"definition_of_done", json::array({"Deployed to staging"})}}})},
        {"total", Eur(amount)},
        {"delivery_days", 30}};
    d.proposal_id = Post(d.freelancer.token, "/v1/jobs/" + d.job_id + "/proposals", proposal)
                        .at("proposal")
                        .at("proposal_id")
                        .get<std::string>();
    Post(d.client.token, "/v1/proposals/" + d.proposal_id + ":accept", json::object());

    // contracts creates the contract from ProposalAccepted, through Kafka.
    json contract;
    const bool created = marketplace::testing::WaitUntil(
        [&] {
            const auto list = Get(d.client.token, "/v1/contracts").value("contracts", json::array());
            for (const auto& c : list) {
                if (c.value("proposal_id", "") == d.proposal_id) {
                    contract = c;
                    return true;
                }
            }
            return false;
        },
        30s, 100ms);
    if (!created) throw std::runtime_error("no contract for the accepted proposal\n" + MoneyStack::Get().Logs());
    d.contract_id = contract.at("contract_id").get<std::string>();
    REQUIRE(contract.at("milestones").size() == 1);
    d.milestone_id = contract.at("milestones").at(0).at("milestone_id").get<std::string>();

    for (const HttpUser* party : {&d.client, &d.freelancer}) {
        const auto sow = Get(party->token, "/v1/contracts/" + d.contract_id + "/statement-of-work");
        const std::string hash = sow.at("statement_of_work").at("content_hash").get<std::string>();
        REQUIRE_FALSE(hash.empty());
        Post(party->token, "/v1/contracts/" + d.contract_id + "/statement-of-work:sign", json{{"content_hash", hash}});
    }

    if (deposit > 0) {
        const auto before = Available(d.client);
        Post(d.client.token, "/v1/wallet/deposits", json{{"amount", Eur(deposit)}});
        // The sandbox provider confirms through the signed webhook, asynchronously.
        if (!marketplace::testing::WaitUntil([&] { return Available(d.client) == before + deposit; }, 20s, 100ms)) {
            throw std::runtime_error("the deposit was not credited\n" + MoneyStack::Get().Logs());
        }
    }
    return d;
}

void RequireHealthyLedger() {
    const auto admin = AdminUser();
    const auto audit = Get(admin.token, "/v1/admin/ledger/audit");
    INFO(audit.dump());
    CHECK(audit.value("violations", json::array()).empty());
    REQUIRE(audit.at("healthy").get<bool>());
}

std::string NewUuid() { return marketplace::core::NewUuidV4(); }

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
