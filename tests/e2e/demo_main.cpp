// make demo: the fixed-price story, then a dispute, on the local stack, as a client and a freelancer live it, through
// the HTTP/JSON gateway. Starts auth, jobs, contracts, payments and the gateway as processes, plays
// every step over HTTP the way curl would (printing each call: who, method, path, status and a
// short excerpt of the body), the events each step caused and the balances, ends with the admin's
// ledger audit, then plays a dispute (an offer, a counter-offer, mediation, a split) and audits again,
// then a clan of four hired with a plan and paid by its locked split, printing each member's payout.
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "clan_demo.hpp"
#include "http_story.hpp"
#include "marketplace/blob/digest.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/core/ids.hpp"
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

/// GitHub's side of the demo (there is no GitHub here): a webhook delivery with GitHub's headers,
/// its body signed with HMAC-SHA256 under the link's secret as GitHub signs it.
Response GitHubDelivery(const std::string& link_id, const std::string& secret, const std::string& event,
                        const json& payload, const std::string& delivery_id = marketplace::core::NewUuidV4()) {
    const std::string body = payload.dump();
    return Send(Request{
        "POST",
        "/webhooks/github/" + link_id,
        "",
        body,
        "",
        {{"X-GitHub-Event", event},
         {"X-GitHub-Delivery", delivery_id},
         {"X-Hub-Signature-256", "sha256=" + marketplace::blob::ToHex(marketplace::blob::HmacSha256(secret, body))}}});
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
        Step(1,
             "Starting auth, jobs, contracts, payments, notifications, disputes, workroom and the gateway on the local "
             "stack");
        auto& stack = MoneyStack::Get();
        std::printf("      gateway %s (every call below goes to it; the caller, method, path, status, body)\n",
                    stack.gateway_base_url().c_str());
        std::vector<std::string> topics;
        for (const char* service : {"jobs", "contracts", "payments", "auth", "disputes", "workroom", "clans"}) {
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

        Step(8,
             "Linus links his repository to the contract's workroom; GitHub reports his pull request and its CI "
             "(signed webhook deliveries); he submits, the room shows the milestone's pull request with its checks, "
             "and Ada accepts");
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
        const std::string repo = "linus-dev/saas-mvp";
        const auto link =
            Post(d.freelancer.token, "/v1/workrooms/" + room + "/repositories", json{{"repository", repo}});
        const std::string link_id = link.at("link").at("link_id");
        const std::string secret = link.at("secret");  // shown once: Linus sets it on the repository's webhook
        const std::string head(40, 'a');
        const std::string now = marketplace::core::FormatRfc3339(std::chrono::system_clock::now());
        const json repository = {{"full_name", repo}, {"name", "saas-mvp"}, {"owner", {{"login", "linus-dev"}}}};
        GitHubDelivery(link_id, secret, "pull_request",
                       json{{"action", "opened"},
                            {"number", 12},
                            {"pull_request",
                             {{"number", 12},
                              {"title", "Signup flow and billing"},
                              {"state", "open"},
                              {"merged", false},
                              {"html_url", "https://github.com/" + repo + "/pull/12"},
                              {"user", {{"login", "linus-dev"}}},
                              {"head", {{"ref", "feature/signup"}, {"sha", head}}},
                              {"updated_at", now}}},
                            {"repository", repository}});
        const json check_run = {{"action", "completed"},
                                {"check_run",
                                 {{"name", "build and test"},
                                  {"head_sha", head},
                                  {"status", "completed"},
                                  {"conclusion", "success"},
                                  {"started_at", now},
                                  {"completed_at", now},
                                  {"html_url", "https://github.com/" + repo + "/runs/1"}}},
                                {"repository", repository}};
        const std::string run_delivery = marketplace::core::NewUuidV4();
        GitHubDelivery(link_id, secret, "check_run", check_run, run_delivery);
        std::printf("      a forged delivery (signed with another secret) and a repeated one change nothing:\n");
        GitHubDelivery(link_id, "not-the-secret", "check_run", check_run);
        GitHubDelivery(link_id, secret, "check_run", check_run, run_delivery);
        const auto prs = Get(d.freelancer.token, "/v1/workrooms/" + room + "/pull-requests");
        const std::string pr_id = prs.at("pull_requests").at(0).at("pull_request_id");
        Post(d.freelancer.token, "/v1/workrooms/" + room + "/pull-requests/" + pr_id + ":milestone",
             json{{"milestone_id", d.milestone_id}});
        Post(d.freelancer.token, "/v1/milestones/" + d.milestone_id + ":submit",
             json{{"note", "Deployed to staging; see the link."}, {"links", json::array({"https://staging.example"})}});
        WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_SUBMITTED");
        json code;
        {
            QuietScope quiet;
            marketplace::testing::WaitUntil(
                [&] {
                    code = Get(d.client.token, "/v1/workrooms/" + room + "/milestones/" + d.milestone_id + "/code")
                               .at("milestone");
                    return code.contains("submitted_at");
                },
                std::chrono::seconds(30), std::chrono::milliseconds(100));
        }
        Get(d.client.token, "/v1/workrooms/" + room + "/milestones/" + d.milestone_id + "/code");
        for (const auto& pr : code.value("pull_requests", json::array())) {
            std::printf("      with the submitted milestone: %s #%s \"%s\", CI %s\n",
                        pr.value("repository", "").c_str(), pr.value("number", "").c_str(),
                        pr.value("title", "").c_str(), pr.value("checks_state", "").c_str());
        }
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

        Step(11,
             "In the contract's workroom: Ada and Linus talk, Linus is mentioned and notified, shares a file, a task "
             "moves");
        const auto hello = Post(d.client.token, "/v1/workrooms/" + room + "/messages",
                                json{{"text", "Thanks @freelancer, the staging build looks great."}});
        Post(d.freelancer.token, "/v1/workrooms/" + room + "/messages",
             json{{"text", "Glad you like it. I will write the deployment notes next."},
                  {"parent_message_id", hello.at("message").at("message_id")}});
        Get(d.client.token, "/v1/workrooms/" + room + "/messages:search?query=deployment");
        // "Deployment notes: staging runs on a single VM." as text/markdown, base64.
        Post(d.freelancer.token, "/v1/workrooms/" + room + "/files",
             json{{"filename", "deployment-notes.md"},
                  {"content_type", "text/markdown"},
                  {"data", "RGVwbG95bWVudCBub3Rlczogc3RhZ2luZyBydW5zIG9uIGEgc2luZ2xlIFZNLg=="}});
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

        if (!problems.empty()) throw std::runtime_error("the ledger audit failed after the first story");

        std::printf("\nSecond story: a disputed milestone, from the claim to a mediated split.\n");
        Step(12, "Grace (client) hires Linus again for 800.00 EUR and funds it; Linus submits");
        HttpDeal d2;
        d2.client = Register("ROLE_CLIENT", "grace");
        d2.freelancer = d.freelancer;
        d2.template_id = d.template_id;
        d2.job_id = PostJob(d2.client, d2.template_id);
        d2.proposal_id = Propose(d2.freelancer, d2.job_id, 80000);
        AcceptProposal(d2);
        SignStatementOfWork(d2);
        Deposit(d2.client, 80000);
        Post(d2.client.token, "/v1/milestones/" + d2.milestone_id + ":fund", json::object());
        WaitMilestone(d2.client, d2.milestone_id, "MILESTONE_STATE_FUNDED");
        Post(d2.freelancer.token, "/v1/milestones/" + d2.milestone_id + ":submit",
             json{{"note", "Done, see staging."}, {"links", json::array({"https://staging.example/v2"})}});
        WaitMilestone(d2.client, d2.milestone_id, "MILESTONE_STATE_SUBMITTED");
        Events();

        Step(13, "Grace disputes it: she is willing to pay 200.00 EUR; contracts holds the milestone");
        const std::string dispute_id = Post(d2.client.token, "/v1/milestones/" + d2.milestone_id + "/disputes",
                                            json{{"reason_code", "REASON_CODE_QUALITY"},
                                                 {"statement", "The checkout does not work."},
                                                 {"amount_asked", Eur(20000)}})
                                           .at("dispute")
                                           .at("dispute_id")
                                           .get<std::string>();
        WaitMilestone(d2.client, d2.milestone_id, "MILESTONE_STATE_DISPUTED");
        Events();

        Step(14, "Linus counters with 80% (an offer); Grace offers 40%; neither accepts");
        Post(d2.freelancer.token, "/v1/disputes/" + dispute_id + ":respond",
             json{{"answer", "ANSWER_COUNTER"}, {"counter_release_bps", 8000}});
        Post(d2.client.token, "/v1/disputes/" + dispute_id + ":offer", json{{"release_bps", 4000}});
        Post(d2.client.token, "/v1/disputes/" + dispute_id + "/evidence",
             json{{"kind", "EVIDENCE_KIND_PREVIEW_LINK"},
                  {"reference", "https://staging.example/v2/checkout"},
                  {"note", "The pay button returns an error."}});
        Events();

        Step(15, "Seven days pass without agreement: the deadline moves the dispute to mediation");
        const auto negotiating = Get(d2.client.token, "/v1/disputes/" + dispute_id).at("dispute");
        std::printf("      negotiation due at %s, then: %s\n", negotiating.value("due_at", "").c_str(),
                    negotiating.value("default_at_due", "").c_str());
        stack.AdvanceClock(std::chrono::hours(24 * 7) + std::chrono::minutes(5));
        Login(d2.client);
        Login(d2.freelancer);
        g_names[d2.client.token] = "grace";
        g_names[d2.freelancer.token] = "linus";
        {
            QuietScope quiet;
            for (int i = 0; i < 300; ++i) {
                if (Get(d2.client.token, "/v1/disputes/" + dispute_id).at("dispute").value("stage", "") ==
                    "STAGE_MEDIATION") {
                    break;
                }
                std::this_thread::sleep_for(100ms);
            }
        }
        Events();

        Step(16, "A mediator proposes 60%; both accept; payments settles the escrow in one operation");
        HttpUser admin2 = AdminUser();
        g_names[admin2.token] = "admin";
        HttpUser mediator = Register("ROLE_CLIENT", "mira");
        Post(admin2.token, "/v1/users/" + mediator.id + ":set-staff-role", json{{"role", "ROLE_MEDIATOR"}});
        Login(mediator);
        g_names[mediator.token] = "mira (mediator)";
        Post(mediator.token, "/v1/disputes/" + dispute_id + ":propose",
             json{{"release_bps", 6000}, {"note", "The design is delivered; the checkout is not."}});
        Post(d2.client.token, "/v1/disputes/" + dispute_id + ":accept-proposal", json{{"release_bps", 6000}});
        Post(d2.freelancer.token, "/v1/disputes/" + dispute_id + ":accept-proposal", json{{"release_bps", 6000}});
        WaitMilestone(d2.client, d2.milestone_id, "MILESTONE_STATE_SPLIT_PAID");
        Events();
        std::printf("      480.00 EUR released (10%% fee on it, 432.00 EUR to Linus), 320.00 EUR back to Grace\n");
        Balances("Grace", d2.client);
        Balances("Linus", d2.freelancer);

        Step(17, "The admin's ledger audit after the dispute");
        const auto audit2 = Get(admin2.token, "/v1/admin/ledger/audit");
        const bool healthy2 = audit2.value("healthy", false) && audit2.value("violations", json::array()).empty();
        std::printf("      %s\n", healthy2 ? "every invariant holds after the split" : audit2.dump(2).c_str());
        if (!healthy2) throw std::runtime_error("the ledger audit failed after the dispute");

        // The clan story: a team hired with a plan, paid by its locked split.
        PlayClanStory(
            18, ClanDemoHooks{[](int n, const std::string& text) { Step(n, text); },
                              [](const std::string& role, const std::string& name) { return Register(role, name); },
                              [] { Events(); }});

        std::printf("\nDemo finished; stopping the services.\n");
        SetTracer(nullptr);
        g_probe.reset();
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "\ndemo failed: %s\n", e.what());
        return 1;
    }
}
