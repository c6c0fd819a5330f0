// Clans through the real stack, over HTTP through the gateway only: a clan of four applies to a job
// with a team plan and a split, the validation names each field, one application per clan per job,
// every named member agrees before the client may hire, the client sees who agreed, the contract's
// working party is the clan, and the clan cannot be archived while that contract is active.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "http_story.hpp"
#include "marketplace/testing/wait.hpp"
#include "money_stack.hpp"

using namespace std::chrono_literals;
using namespace marketplace::e2e::http;
using marketplace::e2e::MoneyStack;

namespace {

struct HttpClan {
    std::string clan_id;
    HttpUser head, co_head, admin, member;
    std::vector<const HttpUser*> all() const { return {&head, &co_head, &admin, &member}; }
};

HttpClan NewClan() {
    HttpClan c;
    c.head = RegisterUser("ROLE_FREELANCER", "clan-head");
    c.co_head = RegisterUser("ROLE_FREELANCER", "clan-cohead");
    c.admin = RegisterUser("ROLE_FREELANCER", "clan-admin");
    c.member = RegisterUser("ROLE_FREELANCER", "clan-member");
    c.clan_id = Post(c.head.token, "/v1/clans",
                     json{{"name", "Four of a kind"},
                          {"handle", "four-" + NewUuid().substr(0, 8)},
                          {"description", "Web apps end to end."},
                          {"skills", {"C++", "TypeScript"}}})
                    .at("clan")
                    .at("clan_id")
                    .get<std::string>();
    for (const HttpUser* u : {&c.co_head, &c.admin, &c.member}) {
        Post(c.head.token, "/v1/clans/" + c.clan_id + "/invitations", json{{"user_id", u->id}});
        Post(u->token, "/v1/clans/" + c.clan_id + "/invitations:respond", json{{"accept", true}});
    }
    Post(c.head.token, "/v1/clans/" + c.clan_id + "/members/" + c.co_head.id + ":set-role",
         json{{"role", "ROLE_CO_HEAD"}});
    Post(c.head.token, "/v1/clans/" + c.clan_id + "/members/" + c.admin.id + ":set-role", json{{"role", "ROLE_ADMIN"}});
    return c;
}

json Milestone(const std::string& title, std::int64_t amount, int days) {
    return json{{"title", title},
                {"description", "Deliverables of " + title},
                {"amount", Eur(amount)},
                {"due_date", Rfc3339(std::chrono::system_clock::now() + MoneyStack::Get().clock_offset() +
                                     std::chrono::hours(24 * days))},
                {"definition_of_done", json::array({"Deployed to staging"})}};
}

/// A clan proposal of two milestones (60000 + 40000) with all four members and a split in basis
/// points (the HEAD 4000, the others 2000 each).
json ClanProposal(const HttpClan& c) {
    json team = json::array();
    json split = json::array();
    const std::vector<std::pair<const HttpUser*, int>> shares = {
        {&c.head, 4000}, {&c.co_head, 2000}, {&c.admin, 2000}, {&c.member, 2000}};
    for (const auto& [u, bps] : shares) {
        team.push_back(json{{"user_id", u->id}, {"role", "Engineer"}, {"hours", 20}, {"deliverables", {"Code"}}});
        split.push_back(json{{"user_id", u->id}, {"share_bps", bps}});
    }
    return json{{"cover_letter", "We are four and ship together."},
                {"milestones", json::array({Milestone("Milestone 1", 60000, 20), Milestone("Milestone 2", 40000, 40)})},
                {"total", Eur(100000)},
                {"delivery_days", 45},
                {"clan_id", c.clan_id},
                {"team", team},
                {"split", split}};
}

Response Submit(const HttpUser& who, const std::string& job_id, const json& body) {
    return Send(Request{"POST", "/v1/jobs/" + job_id + "/proposals", who.token, body.dump(), NewUuid(), {}});
}

std::string FieldOf(const Response& r) {
    try {
        return r.Json().value("field", "");
    } catch (const std::exception&) {
        return "";
    }
}

}  // namespace

TEST_CASE(
    "Clans apply as a team: the plan is validated field by field, one application per clan per job, every "
    "named member agrees before the client hires",
    "[e2e][clans]") {
    const HttpClan c = NewClan();
    const HttpUser client = RegisterUser("ROLE_CLIENT", "clan-client");
    const std::string job_id = PostJob(client, PickTemplate());
    const json good = ClanProposal(c);

    // The validation names the field.
    {
        json outsider = good;
        const HttpUser stranger = RegisterUser("ROLE_FREELANCER", "not-in-clan");
        outsider["team"][3]["user_id"] = stranger.id;
        outsider["split"][3]["user_id"] = stranger.id;
        const auto r = Submit(c.head, job_id, outsider);
        INFO(r.body);
        CHECK(r.status == 400);
        CHECK(FieldOf(r) == "team[3].user_id");

        json twice = good;
        twice["team"][3]["user_id"] = c.head.id;
        CHECK(FieldOf(Submit(c.head, job_id, twice)) == "team[3].user_id");

        json incomplete = good;
        incomplete["split"][3]["share_bps"] = 1000;  // sums to 9000
        const auto r2 = Submit(c.head, job_id, incomplete);
        CHECK(r2.status == 400);
        CHECK(FieldOf(r2) == "split");

        json missing = good;
        missing["split"].erase(3);
        CHECK(FieldOf(Submit(c.head, job_id, missing)) == "split");

        json fixed_short = good;
        for (int i = 0; i < 4; ++i) {
            fixed_short["split"][i] =
                json{{"user_id", good["team"][i]["user_id"]}, {"amount", Eur(i == 0 ? 34800 : 17400)}};
        }
        fixed_short["split"][3]["amount"] = Eur(17399);  // 87000 - 1
        CHECK(FieldOf(Submit(c.head, job_id, fixed_short)) == "split");
    }
    // A MEMBER cannot apply for the clan; a member of no clan naming it neither.
    CHECK(Submit(c.member, job_id, good).status == 403);
    CHECK(Submit(RegisterUser("ROLE_FREELANCER", "outsider"), job_id, good).status == 403);

    // The ADMIN applies; a second application of the clan to the job is refused, by anyone of it.
    const auto submitted = Post(c.admin.token, "/v1/jobs/" + job_id + "/proposals", good).at("proposal");
    const std::string proposal_id = submitted.at("proposal_id").get<std::string>();
    CHECK(submitted.value("freelancer_id", "") == c.clan_id);
    CHECK(submitted.at("clan").value("all_agreed", true) == false);
    CHECK(Int64(submitted.at("clan").at("member_pool"), "minor_units") == 87000);
    CHECK(Submit(c.head, job_id, good).status == 409);

    // The client sees the application and that no one agreed yet; the accept is refused until all did.
    const auto seen = Get(client.token, "/v1/proposals/" + proposal_id).at("proposal").at("clan");
    REQUIRE(seen.at("agreements").size() == 4);
    for (const auto& a : seen.at("agreements")) CHECK(a.value("agreed", true) == false);
    CHECK(Send(Request{"POST", "/v1/proposals/" + proposal_id + ":accept", client.token, "{}", NewUuid(), {}}).status ==
          412);
    // Outsiders neither see it nor agree to it.
    const HttpUser outsider = RegisterUser("ROLE_FREELANCER", "outsider2");
    CHECK(Send(Request{"GET", "/v1/proposals/" + proposal_id, outsider.token, {}, {}, {}}).status == 404);
    CHECK(
        Send(Request{"POST", "/v1/proposals/" + proposal_id + ":agree", outsider.token, "{}", NewUuid(), {}}).status ==
        404);

    for (const HttpUser* u : {&c.head, &c.co_head, &c.admin}) {
        Post(u->token, "/v1/proposals/" + proposal_id + ":agree", json::object());
    }
    const auto three = Get(client.token, "/v1/proposals/" + proposal_id).at("proposal").at("clan");
    CHECK(three.value("all_agreed", true) == false);
    CHECK(three.at("agreements").at(0).value("agreed", false) == true);
    CHECK(three.at("agreements").at(3).value("agreed", true) == false);
    CHECK(Send(Request{"POST", "/v1/proposals/" + proposal_id + ":accept", client.token, "{}", NewUuid(), {}}).status ==
          412);
    Post(c.member.token, "/v1/proposals/" + proposal_id + ":agree", json::object());
    CHECK(Get(client.token, "/v1/proposals/" + proposal_id).at("proposal").at("clan").value("all_agreed", false));

    // The client hires the clan: the contract's working party is the clan.
    Post(client.token, "/v1/proposals/" + proposal_id + ":accept", json::object());
    json contract;
    REQUIRE(marketplace::testing::WaitUntil(
        [&] {
            for (const auto& k : Get(client.token, "/v1/contracts").value("contracts", json::array())) {
                if (k.value("proposal_id", "") == proposal_id) contract = k;
            }
            return !contract.is_null();
        },
        30s, 100ms));
    CHECK(contract.value("freelancer_id", "") == c.clan_id);

    // The clan locked version 1 of the plan: every member sees every share and the leader; the
    // client and outsiders see none.
    json plans;
    REQUIRE(marketplace::testing::WaitUntil(
        [&] {
            plans = Get(c.member.token, "/v1/clans/" + c.clan_id + "/payout-plans").value("plans", json::array());
            return plans.size() == 1;
        },
        30s, 100ms));
    CHECK(plans.at(0).value("proposal_id", "") == proposal_id);
    CHECK(plans.at(0).value("version", 0) == 1);
    CHECK(plans.at(0).value("leader_id", "") == c.head.id);
    REQUIRE(plans.at(0).at("shares").size() == 4);
    CHECK(Int64(plans.at(0).at("shares").at(0), "weight") == 4000);
    CHECK(plans.at(0).at("shares").at(3).value("user_id", "") == c.member.id);
    for (const HttpUser* u : {&client, &outsider}) {
        const auto r = Send(Request{"GET", "/v1/clans/" + c.clan_id + "/payout-plans", u->token, {}, {}, {}});
        CHECK(r.status == 403);
        CHECK(r.body.find(c.member.id) == std::string::npos);
    }

    // The clan learns of its contract from contracts' events (its members see the count; an outsider
    // does not), and cannot be archived now.
    REQUIRE(marketplace::testing::WaitUntil(
        [&] { return Int64(Get(c.member.token, "/v1/clans/" + c.clan_id).at("clan"), "active_contracts") == 1; }, 30s,
        100ms));
    CHECK(Int64(Get(outsider.token, "/v1/clans/" + c.clan_id).at("clan"), "active_contracts") == 0);
    const auto archive =
        Send(Request{"POST", "/v1/clans/" + c.clan_id + ":archive", c.head.token, "{}", NewUuid(), {}});
    INFO(archive.body);
    CHECK(archive.status == 412);
    CHECK(archive.body.find("active contract") != std::string::npos);
    CHECK(Get(c.member.token, "/v1/clans/" + c.clan_id).at("clan").value("status", "") == "CLAN_STATUS_ACTIVE");
}

TEST_CASE(
    "A hired clan is paid by its locked split: the ADMIN and HEAD submit, a MEMBER may not, and every wallet holds "
    "its exact share to the cent",
    "[e2e][clans]") {
    const HttpClan c = NewClan();
    const HttpUser client = RegisterUser("ROLE_CLIENT", "clan-payer");
    const std::string job_id = PostJob(client, PickTemplate());
    const std::string proposal_id =
        Post(c.admin.token, "/v1/jobs/" + job_id + "/proposals", ClanProposal(c)).at("proposal").at("proposal_id");
    for (const HttpUser* u : c.all()) Post(u->token, "/v1/proposals/" + proposal_id + ":agree", json::object());
    Post(client.token, "/v1/proposals/" + proposal_id + ":accept", json::object());
    json contract;
    REQUIRE(marketplace::testing::WaitUntil(
        [&] {
            for (const auto& k : Get(client.token, "/v1/contracts").value("contracts", json::array())) {
                if (k.value("proposal_id", "") == proposal_id) contract = k;
            }
            return !contract.is_null();
        },
        30s, 100ms));
    const std::string contract_id = contract.at("contract_id").get<std::string>();
    REQUIRE(contract.at("milestones").size() == 2);
    const std::string m1 = contract.at("milestones").at(0).at("milestone_id").get<std::string>();
    const std::string m2 = contract.at("milestones").at(1).at("milestone_id").get<std::string>();

    // The client and the clan's ADMIN sign; a MEMBER reads the contract but cannot sign for the clan.
    const std::string hash = Get(c.admin.token, "/v1/contracts/" + contract_id + "/statement-of-work")
                                 .at("statement_of_work")
                                 .at("content_hash")
                                 .get<std::string>();
    CHECK(Send(Request{"POST",
                       "/v1/contracts/" + contract_id + "/statement-of-work:sign",
                       c.member.token,
                       json{{"content_hash", hash}}.dump(),
                       NewUuid(),
                       {}})
              .status == 403);
    for (const HttpUser* party : {&client, &c.admin}) {
        Post(party->token, "/v1/contracts/" + contract_id + "/statement-of-work:sign", json{{"content_hash", hash}});
    }

    const auto audit_before = LedgerAudit();
    std::int64_t fees_before = 0;
    for (const auto& f : audit_before.value("platform_fees", json::array())) {
        if (f.value("currency", "") == "EUR") fees_before = Int64(f, "minor_units");
    }
    Deposit(client, 100000);
    for (const auto& m : {m1, m2}) {
        Post(client.token, "/v1/milestones/" + m + ":fund", json::object());
        WaitMilestone(client, m, "MILESTONE_STATE_FUNDED");
    }

    // A MEMBER's submit is refused; an outsider cannot tell the milestone exists.
    const auto refused = Send(Request{
        "POST", "/v1/milestones/" + m1 + ":submit", c.member.token, json{{"note", "done"}}.dump(), NewUuid(), {}});
    INFO(refused.body);
    CHECK(refused.status == 403);
    const HttpUser outsider = RegisterUser("ROLE_FREELANCER", "clan-outsider");
    CHECK(Send(Request{"POST",
                       "/v1/milestones/" + m1 + ":submit",
                       outsider.token,
                       json{{"note", "done"}}.dump(),
                       NewUuid(),
                       {}})
              .status == 404);
    CHECK(MilestoneState(client, m1) == "MILESTONE_STATE_FUNDED");

    // The ADMIN submits the first, the HEAD the second; the client accepts both.
    Post(c.admin.token, "/v1/milestones/" + m1 + ":submit", json{{"note", "Milestone 1 is on staging."}});
    Post(c.head.token, "/v1/milestones/" + m2 + ":submit", json{{"note", "Milestone 2 is on staging."}});
    for (const auto& m : {m1, m2}) {
        Post(client.token, "/v1/milestones/" + m + ":accept", json::object());
        WaitMilestone(client, m, "MILESTONE_STATE_PAID");
    }

    // 600.00: fee 60.00, commission 18.00, pool 522.00 = 208.80 + 3 x 104.40.
    // 400.00: fee 40.00, commission 12.00, pool 348.00 = 139.20 + 3 x 69.60.
    CHECK(Available(c.head) == 1800 + 20880 + 1200 + 13920);
    CHECK(Available(c.co_head) == 10440 + 6960);
    CHECK(Available(c.admin) == 10440 + 6960);
    CHECK(Available(c.member) == 10440 + 6960);
    CHECK(Available(client) == 0);
    std::int64_t fees_after = 0;
    const auto audit = LedgerAudit();
    for (const auto& f : audit.value("platform_fees", json::array())) {
        if (f.value("currency", "") == "EUR") fees_after = Int64(f, "minor_units");
    }
    CHECK(fees_after - fees_before == 10000);
    CHECK(LedgerViolations() == "");

    // Every member sees the split and what each member was paid; the client and outsiders do not.
    json payouts;
    REQUIRE(marketplace::testing::WaitUntil(
        [&] {
            payouts = Get(c.member.token, "/v1/clans/" + c.clan_id + "/payouts");
            const auto& ms = payouts.at("contracts").at(0).at("milestones");
            return ms.size() == 2 && ms.at(0).value("legs", json::array()).size() == 6 &&
                   ms.at(1).value("legs", json::array()).size() == 6;
        },
        30s, 100ms));
    const auto& paid = payouts.at("contracts").at(0);
    CHECK(paid.value("contract_id", "") == contract_id);
    CHECK(paid.at("plans").at(0).value("leader_id", "") == c.head.id);
    const auto& legs = paid.at("milestones").at(0).at("legs");
    CHECK(legs.at(0).value("kind", "") == "platform_fee");
    CHECK(legs.at(1).value("kind", "") == "leader_commission");
    CHECK(Int64(legs.at(1).at("amount"), "minor_units") == 1800);
    CHECK(legs.at(5).value("user_id", "") == c.member.id);
    CHECK(Int64(legs.at(5).at("amount"), "minor_units") == 10440);
    // Every member is told what each release paid them (the HEAD: commission and share together).
    const auto told = [&](const HttpUser& u, const std::string& title) {
        return marketplace::testing::WaitUntil(
            [&] {
                for (const auto& n : Get(u.token, "/v1/notifications").value("notifications", json::array())) {
                    if (n.value("kind", "") == "escrow.released" && n.value("title", "") == title) return true;
                }
                return false;
            },
            30s, 100ms);
    };
    CHECK(told(c.member, "Clan payment released: 104.40 EUR is in your wallet"));
    CHECK(told(c.member, "Clan payment released: 69.60 EUR is in your wallet"));
    CHECK(told(c.head, "Clan payment released: 226.80 EUR is in your wallet"));
    for (const HttpUser* u : {&client, &outsider}) {
        const auto r = Send(Request{"GET", "/v1/clans/" + c.clan_id + "/payouts", u->token, {}, {}, {}});
        CHECK(r.status == 403);
        CHECK(r.body.find(c.member.id) == std::string::npos);
    }
}
