#include "http_story.hpp"

#include <cctype>
#include <ctime>
#include <mutex>
#include <stdexcept>

#include "marketplace/core/ids.hpp"
#include "marketplace/testing/http_client.hpp"
#include "marketplace/testing/wait.hpp"
#include "money_stack.hpp"

namespace marketplace::e2e::http {

using namespace std::chrono_literals;

namespace {

Response Exchange(const Request& r) {
    auto& stack = MoneyStack::Get();
    testing::HttpOptions options;
    options.host = stack.gateway_host();
    options.timeout = 20s;
    options.keep_alive = false;
    testing::HttpHeaders headers = {{"User-Agent", "marketplace-e2e-http/1"}, {"Accept", "application/json"}};
    if (!r.token.empty()) headers.emplace_back("Authorization", "Bearer " + r.token);
    if (!r.idempotency_key.empty()) headers.emplace_back("Idempotency-Key", r.idempotency_key);
    for (const auto& [k, v] : r.extra_headers) headers.emplace_back(k, v);
    if (r.body) headers.emplace_back("Content-Type", "application/json");
    auto answer =
        testing::HttpClient(stack.gateway_port(), options).Request(r.method, r.path, r.body.value_or(""), headers);
    Response response;
    response.status = answer.status;
    response.headers = std::move(answer.headers);
    response.body = std::move(answer.body);
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
