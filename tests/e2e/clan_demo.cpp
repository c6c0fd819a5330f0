#include "clan_demo.hpp"

#include <cstdio>
#include <stdexcept>
#include <vector>

#include "marketplace/core/money.hpp"
#include "marketplace/testing/wait.hpp"
#include "money_stack.hpp"

namespace marketplace::e2e::http {
namespace {

using namespace std::chrono_literals;

std::string Shown(std::int64_t minor) { return core::Money(minor, core::Currency::Parse("EUR")).ToString(); }

json Milestone(const std::string& title, std::int64_t amount, int days) {
    return json{{"title", title},
                {"description", "Deliverables of " + title},
                {"amount", Eur(amount)},
                {"due_date", Rfc3339(std::chrono::system_clock::now() + MoneyStack::Get().clock_offset() +
                                     std::chrono::hours(24 * days))},
                {"definition_of_done", json::array({"Deployed to staging"})}};
}

}  // namespace

int PlayClanStory(int n, const ClanDemoHooks& hooks) {
    hooks.step(n++, "A clan: Grace heads it, with Ken (CO_HEAD), Barbara (ADMIN) and Dennis (MEMBER)");
    const HttpUser head = hooks.register_user("ROLE_FREELANCER", "grace-h");
    const HttpUser co_head = hooks.register_user("ROLE_FREELANCER", "ken");
    const HttpUser admin = hooks.register_user("ROLE_FREELANCER", "barbara");
    const HttpUser member = hooks.register_user("ROLE_FREELANCER", "dennis");
    const HttpUser client = hooks.register_user("ROLE_CLIENT", "margaret");
    std::string clan_id;
    {
        QuietScope quiet(false);  // the membership calls are the clans demo's own business: not printed
        clan_id =
            Post(head.token, "/v1/clans",
                 json{{"name", "Four of a kind"}, {"handle", "four-" + NewUuid().substr(0, 8)}, {"skills", {"C++"}}})
                .at("clan")
                .at("clan_id")
                .get<std::string>();
        for (const HttpUser* u : {&co_head, &admin, &member}) {
            Post(head.token, "/v1/clans/" + clan_id + "/invitations", json{{"user_id", u->id}});
            Post(u->token, "/v1/clans/" + clan_id + "/invitations:respond", json{{"accept", true}});
        }
        Post(head.token, "/v1/clans/" + clan_id + "/members/" + co_head.id + ":set-role",
             json{{"role", "ROLE_CO_HEAD"}});
        Post(head.token, "/v1/clans/" + clan_id + "/members/" + admin.id + ":set-role", json{{"role", "ROLE_ADMIN"}});
    }
    std::printf("      clan %s\n", clan_id.c_str());

    hooks.step(n++,
               "Barbara applies for the clan to Margaret's job: 600.00 + 400.00 EUR, split 40/20/20/20; all agree");
    const std::string job_id = PostJob(client, PickTemplate());
    const std::vector<std::pair<const HttpUser*, int>> shares = {
        {&head, 4000}, {&co_head, 2000}, {&admin, 2000}, {&member, 2000}};
    json team = json::array(), split = json::array();
    for (const auto& [u, bps] : shares) {
        team.push_back(json{{"user_id", u->id}, {"role", "Engineer"}, {"hours", 20}, {"deliverables", {"Code"}}});
        split.push_back(json{{"user_id", u->id}, {"share_bps", bps}});
    }
    const std::string proposal_id =
        Post(admin.token, "/v1/jobs/" + job_id + "/proposals",
             json{{"cover_letter", "We are four and ship together."},
                  {"milestones",
                   json::array({Milestone("Milestone 1", 60000, 20), Milestone("Milestone 2", 40000, 40)})},
                  {"total", Eur(100000)},
                  {"delivery_days", 45},
                  {"clan_id", clan_id},
                  {"team", team},
                  {"split", split}})
            .at("proposal")
            .at("proposal_id");
    for (const auto& [u, bps] : shares) Post(u->token, "/v1/proposals/" + proposal_id + ":agree", json::object());
    hooks.events();

    hooks.step(n++, "Margaret hires the clan, both sides sign, she deposits and funds both milestones");
    Post(client.token, "/v1/proposals/" + proposal_id + ":accept", json::object());
    json contract;
    {
        QuietScope quiet;
        if (!marketplace::testing::WaitUntil(
                [&] {
                    for (const auto& k : Get(client.token, "/v1/contracts").value("contracts", json::array())) {
                        if (k.value("proposal_id", "") == proposal_id) contract = k;
                    }
                    return !contract.is_null();
                },
                30s, 100ms)) {
            throw std::runtime_error("no contract for the clan's proposal " + proposal_id);
        }
    }
    const std::string contract_id = contract.at("contract_id");
    const std::string m1 = contract.at("milestones").at(0).at("milestone_id");
    const std::string m2 = contract.at("milestones").at(1).at("milestone_id");
    const std::string hash = Get(admin.token, "/v1/contracts/" + contract_id + "/statement-of-work")
                                 .at("statement_of_work")
                                 .at("content_hash");
    for (const HttpUser* party : {&client, &admin}) {
        Post(party->token, "/v1/contracts/" + contract_id + "/statement-of-work:sign", json{{"content_hash", hash}});
    }
    Deposit(client, 100000);
    for (const auto& m : {m1, m2}) {
        Post(client.token, "/v1/milestones/" + m + ":fund", json::object());
        WaitMilestone(client, m, "MILESTONE_STATE_FUNDED");
    }
    hooks.events();

    hooks.step(n++,
               "Dennis (MEMBER) may not submit for the clan; Barbara (ADMIN) and Grace (HEAD) do; Margaret accepts");
    const auto refused = Send(Request{
        "POST", "/v1/milestones/" + m1 + ":submit", member.token, json{{"note", "done"}}.dump(), NewUuid(), {}});
    std::printf("      Dennis's submit: %d (only the clan's HEAD, CO_HEAD or ADMIN acts for it)\n", refused.status);
    Post(admin.token, "/v1/milestones/" + m1 + ":submit", json{{"note", "Milestone 1 is on staging."}});
    Post(head.token, "/v1/milestones/" + m2 + ":submit", json{{"note", "Milestone 2 is on staging."}});
    for (const auto& m : {m1, m2}) {
        Post(client.token, "/v1/milestones/" + m + ":accept", json::object());
        WaitMilestone(client, m, "MILESTONE_STATE_PAID");
    }
    hooks.events();

    hooks.step(n++, "Each member's payout (10% platform fee, 3% to the leader, 87% by the split), as Dennis sees it");
    json payouts;
    {
        QuietScope quiet;
        marketplace::testing::WaitUntil(
            [&] {
                payouts = Get(member.token, "/v1/clans/" + clan_id + "/payouts");
                const auto& ms = payouts.at("contracts").at(0).at("milestones");
                return ms.at(0).value("legs", json::array()).size() == 6 &&
                       ms.at(1).value("legs", json::array()).size() == 6;
            },
            30s, 100ms);
    }
    const std::vector<std::pair<std::string, const HttpUser*>> names = {
        {"Grace", &head}, {"Ken", &co_head}, {"Barbara", &admin}, {"Dennis", &member}};
    for (const auto& m : payouts.at("contracts").at(0).at("milestones")) {
        std::printf("      %s (%s, plan version %d)\n", m.value("title", "").c_str(),
                    Shown(Int64(m.at("amount"), "minor_units")).c_str(), m.value("plan_version", 0));
        for (const auto& leg : m.value("legs", json::array())) {
            std::string who = "platform";
            for (const auto& [name, u] : names) {
                if (leg.value("user_id", "") == u->id) who = name;
            }
            std::printf("        %-18s %-8s %s\n", leg.value("kind", "").c_str(), who.c_str(),
                        Shown(Int64(leg.at("amount"), "minor_units")).c_str());
        }
    }
    for (const auto& [name, u] : names) {
        std::printf("      %-8s wallet %s\n", name.c_str(), Shown(Available(*u)).c_str());
    }
    const auto violations = LedgerViolations();
    std::printf("      ledger audit: %s\n", violations.empty() ? "every invariant holds" : violations.c_str());
    if (!violations.empty()) throw std::runtime_error("the ledger audit failed after the clan's payouts");
    return n;
}

}  // namespace marketplace::e2e::http
