#include "http_story.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <ctime>
#include <mutex>
#include <stdexcept>

#include "marketplace/core/ids.hpp"
#include "marketplace/testing/wait.hpp"
#include "money_stack.hpp"

namespace marketplace::e2e::http {

using namespace std::chrono_literals;

namespace {

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

Response Exchange(const Request& r) {
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
    Response response;
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

// What the tracer sees: every exchange, or only the last of a quiet stretch.
struct TraceState {
    std::mutex mu;
    Tracer tracer;
    int quiet_depth = 0;
    int quiet_count = 0;
    std::optional<std::pair<Request, Response>> quiet_last;
};

TraceState& Trace() {
    static TraceState state;
    return state;
}

void Fail(const std::string& what) { throw std::runtime_error(what + "\n" + MoneyStack::Get().Logs()); }

}  // namespace

json Response::Json() const {
    try {
        return json::parse(body);
    } catch (const std::exception& e) {
        throw std::runtime_error("response body is not JSON (" + std::string(e.what()) + "): " + body);
    }
}

std::string Response::Header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

Response Send(const Request& request) {
    Response response = Exchange(request);
    Tracer tracer;
    {
        auto& t = Trace();
        std::lock_guard lock(t.mu);
        if (!t.tracer) return response;
        if (t.quiet_depth > 0) {
            ++t.quiet_count;
            t.quiet_last.emplace(request, response);
            return response;
        }
        tracer = t.tracer;
    }
    tracer(request, response, 1);
    return response;
}

void SetTracer(Tracer tracer) {
    auto& t = Trace();
    std::lock_guard lock(t.mu);
    t.tracer = std::move(tracer);
}

QuietScope::QuietScope(bool report_last) : report_last_(report_last) {
    auto& t = Trace();
    std::lock_guard lock(t.mu);
    if (t.quiet_depth++ == 0) {
        t.quiet_count = 0;
        t.quiet_last.reset();
    }
}

QuietScope::~QuietScope() {
    auto& t = Trace();
    std::optional<std::pair<Request, Response>> last;
    int count = 0;
    Tracer tracer;
    {
        std::lock_guard lock(t.mu);
        if (--t.quiet_depth > 0) return;
        last.swap(t.quiet_last);
        count = t.quiet_count;
        tracer = t.tracer;
    }
    if (report_last_ && tracer && last) tracer(last->first, last->second, count);
}

std::string Describe(const Request& r, const Response& resp) {
    return r.method + " " + r.path + " -> " + std::to_string(resp.status) + " " + resp.body + "\n" +
           MoneyStack::Get().Logs();
}

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
    return Expect(200, Request{"POST", path, token, body.dump(), NewUuid(), {}});
}

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

std::string NewUuid() { return core::NewUuidV4(); }

std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string Upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

void Login(HttpUser& u) {
    const auto resp = Expect(
        200, Request{"POST", "/v1/auth/login", "", json{{"email", u.email}, {"password", u.password}}.dump(), {}, {}});
    u.token = resp.at("session").at("access_token").get<std::string>();
    u.id = resp.at("session").at("user_id").get<std::string>();
    if (u.token.empty()) Fail("login of " + u.email + " gave no access_token");
}

HttpUser RegisterUser(const std::string& role, const std::string& name) {
    HttpUser u;
    u.email = name + "-" + core::RandomHex(5) + "@http.e2e.marketplace.test";
    u.password = "correct horse battery " + core::RandomHex(3);
    const json body{{"email", u.email}, {"password", u.password}, {"role", role}, {"display_name", name}};
    const auto resp = Post("", "/v1/auth/register", body);
    const std::string registered = resp.at("user_id").get<std::string>();
    Login(u);
    if (u.id != registered) Fail("registered " + registered + " but logged in as " + u.id);
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
std::int64_t PendingPayouts(const HttpUser& u) {
    return Int64(Balance(u).value("pending_payouts", json::object()), "minor_units");
}

std::string MilestoneState(const HttpUser& u, const std::string& milestone) {
    return Get(u.token, "/v1/milestones/" + milestone).at("milestone").value("state", "");
}

void WaitMilestone(const HttpUser& u, const std::string& milestone, const std::string& state) {
    QuietScope quiet;
    std::string seen;
    const bool reached = testing::WaitUntil(
        [&] {
            seen = MilestoneState(u, milestone);
            return seen == state;
        },
        30s, 100ms);
    if (!reached) Fail("milestone " + milestone + " stayed " + seen + ", expected " + state);
}

std::string PickTemplate() {
    const auto templates = Get("", "/v1/job-templates").value("templates", json::array());
    if (templates.empty()) Fail("GET /v1/job-templates listed no templates");
    const std::string id = templates.at(0).at("template_id").get<std::string>();
    const auto one = Get("", "/v1/job-templates/" + id);
    if (one.at("project_template").at("template_id") != id) Fail("GET /v1/job-templates/" + id + ": " + one.dump());
    return id;
}

std::string PostJob(const HttpUser& client, const std::string& template_id) {
    const json job{{"title", "SaaS MVP for " + client.email},
                   {"description", "Build a SaaS MVP with authentication, billing and an admin panel."},
                   {"budget_type", "BUDGET_TYPE_FIXED"},
                   {"budget_min", Eur(50000)},
                   {"budget_max", Eur(500000)},
                   {"template_id", template_id}};
    return Post(client.token, "/v1/jobs", job).at("job").at("job_id").get<std::string>();
}

std::string Propose(const HttpUser& freelancer, const std::string& job_id, std::int64_t amount) {
    const json proposal{
        {"cover_letter", "I have shipped three SaaS products of this shape."},
        {"milestones", json::array({json{{"title", "Milestone 1"},
                                         {"description", "Deliverables of milestone 1"},
                                         {"amount", Eur(amount)},
                                         {"due_date", Rfc3339(std::chrono::system_clock::now() +
                                                              MoneyStack::Get().clock_offset() + 30 * 24h)},
                                         {"definition_of_done", json::array({"Deployed to staging"})}}})},
        {"total", Eur(amount)},
        {"delivery_days", 30}};
    return Post(freelancer.token, "/v1/jobs/" + job_id + "/proposals", proposal)
        .at("proposal")
        .at("proposal_id")
        .get<std::string>();
}

void AcceptProposal(HttpDeal& d) {
    Post(d.client.token, "/v1/proposals/" + d.proposal_id + ":accept", json::object());
    json contract;
    bool created = false;
    {
        QuietScope quiet;
        created = testing::WaitUntil(
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
    }
    if (!created) Fail("no contract for the accepted proposal " + d.proposal_id);
    d.contract_id = contract.at("contract_id").get<std::string>();
    if (contract.at("milestones").size() != 1) Fail("the contract should have one milestone: " + contract.dump());
    d.milestone_id = contract.at("milestones").at(0).at("milestone_id").get<std::string>();
}

void SignStatementOfWork(HttpDeal& d) {
    for (const HttpUser* party : {&d.client, &d.freelancer}) {
        const auto sow = Get(party->token, "/v1/contracts/" + d.contract_id + "/statement-of-work");
        const std::string hash = sow.at("statement_of_work").at("content_hash").get<std::string>();
        if (hash.empty()) Fail("the statement of work of " + d.contract_id + " has no content_hash");
        d.statement_of_work_hash = hash;
        Post(party->token, "/v1/contracts/" + d.contract_id + "/statement-of-work:sign", json{{"content_hash", hash}});
    }
}

void Deposit(const HttpUser& client, std::int64_t minor) {
    std::int64_t before = 0;
    {
        QuietScope quiet(false);
        before = Available(client);
    }
    Post(client.token, "/v1/wallet/deposits", json{{"amount", Eur(minor)}});
    // The sandbox provider confirms through the signed webhook, asynchronously.
    QuietScope quiet;
    if (!testing::WaitUntil([&] { return Available(client) == before + minor; }, 20s, 100ms)) {
        Fail("the deposit of " + std::to_string(minor) + " was not credited");
    }
}

HttpDeal NewHttpDeal(std::int64_t amount, std::int64_t deposit) {
    HttpDeal d;
    d.client = RegisterUser("ROLE_CLIENT", "client");
    d.freelancer = RegisterUser("ROLE_FREELANCER", "freelancer");
    d.template_id = PickTemplate();
    d.job_id = PostJob(d.client, d.template_id);
    d.proposal_id = Propose(d.freelancer, d.job_id, amount);
    AcceptProposal(d);
    SignStatementOfWork(d);
    if (deposit > 0) Deposit(d.client, deposit);
    return d;
}

json Payout(const HttpUser& freelancer, std::int64_t minor) {
    const auto created = Post(freelancer.token, "/v1/wallet/payouts", json{{"amount", Eur(minor)}});
    const std::string id = created.at("payout").at("payout_id").get<std::string>();
    QuietScope quiet;
    json payout;
    const bool posted = testing::WaitUntil(
        [&] {
            payout = Get(freelancer.token, "/v1/wallet/payouts/" + id).at("payout");
            return payout.value("status", "") != "PAYOUT_STATUS_PENDING";
        },
        20s, 100ms);
    if (!posted || payout.value("status", "") != "PAYOUT_STATUS_POSTED") {
        Fail("payout " + id + " was not posted: " + payout.dump());
    }
    return payout;
}

json LedgerAudit() {
    const auto admin = AdminUser();
    return Get(admin.token, "/v1/admin/ledger/audit");
}

std::string LedgerViolations() {
    const auto audit = LedgerAudit();
    const auto violations = audit.value("violations", json::array());
    if (violations.empty() && audit.value("healthy", false)) return {};
    return audit.dump();
}

}  // namespace marketplace::e2e::http
