// make demo: the fixed-price story on the local stack, as a client and a freelancer live it, through
// the HTTP/JSON gateway. Starts auth, jobs, contracts, payments and the gateway as processes, plays
// every step over HTTP the way curl would (printing each call: who, method, path, status and a
// short excerpt of the body), the events each step caused and the balances, ends with the admin's
// ledger audit, and stops them.
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "http_story.hpp"
#include "marketplace/core/money.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/event_probe.hpp"
#include "marketplace/testing/wait.hpp"
#include "money_stack.hpp"

using namespace marketplace;
using namespace marketplace::e2e::http;
using namespace std::chrono_literals;
using marketplace::e2e::MoneyStack;

namespace {

constexpr std::size_t kExcerptChars = 96;

std::unique_ptr<testing::EventProbe> g_probe;
std::size_t g_seen = 0;
std::map<std::string, std::string> g_names;  // token -> who holds it

std::string Shown(std::int64_t minor) { return core::Money(minor, core::Currency::Parse("EUR")).ToString(); }

void Step(int n, const std::string& text) {
    std::printf("\n%2d. %s\n", n, text.c_str());
    std::fflush(stdout);
}

/// Access tokens are long and say nothing to a reader: shortened in the excerpts. Keys keep the
/// order the gateway wrote them in.
void ShortenTokens(nlohmann::ordered_json& j) {
    if (j.is_object() || j.is_array()) {
        for (auto& v : j) ShortenTokens(v);
    } else if (j.is_string()) {
        const auto& s = j.get_ref<const std::string&>();
        if (s.size() > 40 && s.rfind("eyJ", 0) == 0) j = s.substr(0, 10) + "...";
    }
}

std::string Excerpt(const std::string& body) {
    std::string text = body;
    try {
        auto j = nlohmann::ordered_json::parse(body);
        ShortenTokens(j);
        text = j.dump();
    } catch (const std::exception&) {
    }
    if (text.size() > kExcerptChars) text = text.substr(0, kExcerptChars) + "...";
    return text;
}

/// One line per HTTP call, as curl -s -w '%{http_code}' would show it.
void PrintCall(const Request& r, const Response& resp, int repeats) {
    const auto who = g_names.find(r.token);
    const std::string name = r.token.empty() ? "-" : who != g_names.end() ? who->second : "?";
    std::string path = r.path;
    if (repeats > 1) path += "  (polled x" + std::to_string(repeats) + ")";
    std::printf("      %-6s %-4s %-70s %d  %s\n", name.c_str(), r.method.c_str(), path.c_str(), resp.status,
                Excerpt(resp.body).c_str());
    std::fflush(stdout);
}

/// Prints the events published since the last call (waiting a moment for the saga to move).
void Events(std::chrono::milliseconds settle = 700ms) {
    g_probe->Drain(settle);
    const auto& events = g_probe->events();
    for (; g_seen < events.size(); ++g_seen) {
        const auto& e = events[g_seen];
        std::printf("      event  %-52s key %s\n", e.headers.count("ce_type") ? e.headers.at("ce_type").c_str() : "?",
                    e.key.c_str());
    }
}

void Balances(const char* who, const HttpUser& user) {
    json b;
    {
        QuietScope quiet(false);
        b = Balance(user);
    }
    const auto minor = [&](const char* key) { return Int64(b.value(key, json::object()), "minor_units"); };
    std::printf("      %-10s available %-14s in escrow %-14s pending payouts %s\n", who,
                Shown(minor("available")).c_str(), Shown(minor("in_escrow")).c_str(),
                Shown(minor("pending_payouts")).c_str());
}

HttpUser Register(const std::string& role, const std::string& name) {
    auto user = RegisterUser(role, name);
    g_names[user.token] = name;
    return user;
}

}  // namespace

int main() {
    try {
        std::printf(
            "Marketplace demo: a fixed-price contract from posting to payout, over HTTP through the gateway.\n");
        Step(1, "Starting auth, jobs, contracts, payments, notifications, workroom and the gateway on the local stack");
        auto& stack = MoneyStack::Get();
        std::printf("      gateway %s (every call below goes to it; the caller, method, path, status, body)\n",
                    stack.gateway_base_url().c_str());
        std::vector<std::string> topics;
        for (const char* service : {"jobs", "contracts", "payments", "auth", "workroom"}) {
            topics.push_back(stack.topic_prefix() + service + ".events.v1");
        }
        g_probe = std::make_unique<testing::EventProbe>(testing::BrokerControl::Bootstrap(), topics);
        SetTracer(PrintCall);

        Step(2, "Registering a client (Ada) and a freelancer (Linus)");
        HttpDeal d;
        d.client = Register("ROLE_CLIENT", "ada");
        d.freelancer = Register("ROLE_FREELANCER", "linus");
        Events();

        Step(3, "Ada picks the SaaS MVP template and posts a fixed-price job from it");
        d.template_id = PickTemplate();
        d.job_id = PostJob(d.client, d.template_id);
        Events();

        Step(4, "Linus proposes one milestone of 1,200.00 EUR; Ada accepts, and contracts drafts the contract");
        d.proposal_id = Propose(d.freelancer, d.job_id, 120000);
        AcceptProposal(d);
        Events();
        std::printf("      contract %s, milestone %s\n", d.contract_id.c_str(), d.milestone_id.c_str());

        Step(5, "Both sign the statement of work");
        SignStatementOfWork(d);
        Events();
        std::printf("      signed by both (hash %s...)\n", d.statement_of_work_hash.substr(0, 12).c_str());

        Step(6, "Ada deposits 1,500.00 EUR by card (the sandbox provider confirms through the signed webhook)");
        Deposit(d.client, 150000);
        Events();
        Balances("Ada", d.client);

        Step(7, "Ada funds the milestone: contracts asks, payments moves 1,200.00 EUR into escrow");
        Post(d.client.token, "/v1/milestones/" + d.milestone_id + ":fund", json::object());
        WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_FUNDED");
        Events();
        Balances("Ada", d.client);

        Step(8, "Linus submits the deliverable; Ada accepts it");
        Post(d.freelancer.token, "/v1/milestones/" + d.milestone_id + ":submit",
             json{{"note", "Deployed to staging; see the link."}, {"links", json::array({"https://staging.example"})}});
        WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_SUBMITTED");
        Post(d.client.token, "/v1/milestones/" + d.milestone_id + ":accept", json::object());
        WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_PAID");
        Events();
        std::printf("      the milestone is paid: 10%% platform fee, the rest to Linus\n");
        Balances("Ada", d.client);
        Balances("Linus", d.freelancer);

        Step(9, "Linus withdraws 1,000.00 EUR to his bank (the sandbox provider posts the payout)");
        Payout(d.freelancer, 100000);
        Events();
        Balances("Linus", d.freelancer);

        Step(10, "The admin's ledger audit");
        HttpUser admin = AdminUser();
        g_names[admin.token] = "admin";
        const auto audit = Get(admin.token, "/v1/admin/ledger/audit");
        const bool healthy = audit.value("healthy", false) && audit.value("violations", json::array()).empty();
        const std::string problems = healthy ? std::string() : audit.dump(2);
        std::printf("      %s\n", problems.empty() ? "every invariant holds: balances sum to zero per currency, no "
                                                     "guarded account negative, settled escrows are zero"
                                                   : problems.c_str());

        Step(11, "In the contract's workroom: Ada and Linus talk, Linus is mentioned and notified, a task moves");
        std::string room;
        {
            QuietScope quiet;
            marketplace::testing::WaitUntil(
                [&] {
                    for (const auto& r : Get(d.client.token, "/v1/workrooms").value("rooms", json::array())) {
                        if (r.value("contract_id", "") == d.contract_id) room = r.value("room_id", "");
                    }
                    return !room.empty();
                },
                std::chrono::seconds(30), std::chrono::milliseconds(100));
        }
        const auto hello = Post(d.client.token, "/v1/workrooms/" + room + "/messages",
                                json{{"text", "Thanks @freelancer, the staging build looks great."}});
        Post(d.freelancer.token, "/v1/workrooms/" + room + "/messages",
             json{{"text", "Glad you like it. I will write the deployment notes next."},
                  {"parent_message_id", hello.at("message").at("message_id")}});
        Get(d.client.token, "/v1/workrooms/" + room + "/messages:search?query=deployment");
        const auto task = Post(d.freelancer.token, "/v1/workrooms/" + room + "/tasks",
                               json{{"title", "Write the deployment notes"},
                                    {"assignee_id", d.freelancer.id},
                                    {"milestone_id", d.milestone_id}})
                              .at("task");
        Post(d.freelancer.token, "/v1/workrooms/" + room + "/tasks/" + task.at("task_id").get<std::string>() + ":move",
             json{{"status", "TASK_STATUS_DOING"}});
        Post(d.freelancer.token, "/v1/workrooms/" + room + ":read", json::object());
        {
            QuietScope quiet;
            marketplace::testing::WaitUntil(
                [&] {
                    for (const auto& n :
                         Get(d.freelancer.token, "/v1/notifications").value("notifications", json::array())) {
                        if (n.value("kind", "") == "workroom.mentioned") return true;
                    }
                    return false;
                },
                std::chrono::seconds(30), std::chrono::milliseconds(100));
        }
        Events();
        std::printf("      Linus's inbox has the mention (workroom.mentioned, through Kafka into notifications)\n");

        std::printf("\nDemo finished; stopping the services.\n");
        SetTracer(nullptr);
        g_probe.reset();
        return problems.empty() ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "\ndemo failed: %s\n", e.what());
        return 1;
    }
}
