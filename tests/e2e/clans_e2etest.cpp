// Clans through the real stack, over HTTP through the gateway only: a clan of four applies to a job
// with a team plan and a split, the validation names each field, one application per clan per job,
// every named member agrees before the client may hire, the client sees who agreed, the contract's
// working party is the clan, and the clan cannot be archived while that contract is active. Then a
// hired clan re-versions its payout plan with both approvals (the clan's HEAD, CO_HEAD or ADMIN
// proposes, the contract's client approves), each caller's rights on it, and a member's leave that
// flags the plan until a version without them is approved. A hired clan's money edges as for a
// freelancer, and a dispute its HEAD opens and its ADMIN settles, paid by the split; every member
// lists the clan's contract.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <string>
#include <thread>
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

namespace {

struct HiredClan {
    HttpClan c;
    HttpUser client;
    std::string proposal_id, contract_id;
};

/// A clan of four applies, everyone agrees, the client hires it; returns once the clan locked
/// version 1 and learned of the contract.
HiredClan HireClan() {
    HiredClan h{NewClan(), RegisterUser("ROLE_CLIENT", "plan-client"), "", ""};
    const HttpClan& c = h.c;
    const std::string job_id = PostJob(h.client, PickTemplate());
    h.proposal_id = Post(c.admin.token, "/v1/jobs/" + job_id + "/proposals", ClanProposal(c))
                        .at("proposal")
                        .at("proposal_id")
                        .get<std::string>();
    for (const HttpUser* u : c.all()) Post(u->token, "/v1/proposals/" + h.proposal_id + ":agree", json::object());
    Post(h.client.token, "/v1/proposals/" + h.proposal_id + ":accept", json::object());
    REQUIRE(marketplace::testing::WaitUntil(
        [&] {
            const auto plans =
                Get(c.member.token, "/v1/clans/" + c.clan_id + "/payout-plans").value("plans", json::array());
            return plans.size() == 1 && !plans.at(0).value("contract_id", "").empty();
        },
        30s, 100ms));
    h.contract_id =
        Get(c.member.token, "/v1/clans/" + c.clan_id + "/payout-plans").at("plans").at(0).value("contract_id", "");
    return h;
}

/// The contract as `who` finds it in their `GET /v1/contracts`, or null when it is not listed.
json Listed(const HttpUser& who, const std::string& contract_id) {
    for (const auto& k : Get(who.token, "/v1/contracts").value("contracts", json::array())) {
        if (k.value("contract_id", "") == contract_id) return k;
    }
    return nullptr;
}

/// The client and the clan's ADMIN sign the hired clan's statement of work.
void SignStatement(const HiredClan& h) {
    const std::string hash = Get(h.c.admin.token, "/v1/contracts/" + h.contract_id + "/statement-of-work")
                                 .at("statement_of_work")
                                 .at("content_hash")
                                 .get<std::string>();
    for (const HttpUser* party : {&h.client, &h.c.admin}) {
        Post(party->token, "/v1/contracts/" + h.contract_id + "/statement-of-work:sign", json{{"content_hash", hash}});
    }
}

/// A proposal of the next version naming `shares` (basis points).
json NextVersion(int base_version, const std::vector<std::pair<const HttpUser*, int>>& shares) {
    json team = json::array(), split = json::array();
    for (const auto& [u, bps] : shares) {
        team.push_back(json{{"user_id", u->id}, {"role", "Engineer"}});
        split.push_back(json{{"user_id", u->id}, {"weight", bps}});
    }
    return json{{"base_version", base_version}, {"team", team}, {"split", split}, {"note", "Rebalanced"}};
}

/// Whether `user`'s inbox holds a notification of `kind` (waits for it up to 30 s).
bool Notified(const HttpUser& user, const std::string& kind) {
    return marketplace::testing::WaitUntil(
        [&] {
            for (const auto& n :
                 Get(user.token, "/v1/notifications?page_size=100").value("notifications", json::array())) {
                if (n.value("kind", "") == kind) return true;
            }
            return false;
        },
        30s, 200ms);
}

json InForce(const HiredClan& h) {
    const auto plans = Get(h.c.co_head.token, "/v1/clans/" + h.c.clan_id + "/payout-plans").at("plans");
    for (const auto& p : plans) {
        if (p.value("in_force", false)) return p;
    }
    FAIL("no version in force among " << plans.dump());
    return json();
}

}  // namespace

TEST_CASE(
    "Clans re-version a hired plan: the clan proposes, the client approves, each caller's rights; a member "
    "who leaves flags the plan until a version without them is approved",
    "[e2e][clans]") {
    HiredClan h = HireClan();
    const HttpClan& c = h.c;
    std::map<std::string, const HttpUser*> who = {
        {"HEAD", &c.head}, {"CO_HEAD", &c.co_head}, {"ADMIN", &c.admin}, {"MEMBER", &c.member}, {"CLIENT", &h.client}};
    const HttpUser other = RegisterUser("ROLE_FREELANCER", "other-clan-member");
    Post(other.token, "/v1/clans", json{{"name", "Other"}, {"handle", "oth-" + NewUuid().substr(0, 8)}});
    const HttpUser outsider = RegisterUser("ROLE_FREELANCER", "plan-outsider");
    who["OTHER CLAN"] = &other;
    who["OUTSIDER"] = &outsider;
    const std::string plan_path = "/v1/clans/" + c.clan_id + "/payout-plans/" + h.proposal_id;
    const auto call = [&](const HttpUser& u, const std::string& path, const json& body) {
        return Send(Request{"POST", path, u.token, body.dump(), NewUuid(), {}});
    };
    const json v2 = NextVersion(1, {{&c.head, 3000}, {&c.co_head, 2500}, {&c.admin, 2500}, {&c.member, 2000}});

    // Proposing: HEAD, CO_HEAD and ADMIN may (each proposal rejected by the client before the next);
    // the MEMBER, another clan's member, an outsider and the client may not.
    for (const char* name : {"MEMBER", "OTHER CLAN", "OUTSIDER", "CLIENT"}) {
        const auto r = call(*who.at(name), plan_path + "/versions", v2);
        INFO(name << ": " << r.body);
        CHECK(r.status == 403);
    }
    {
        json bad = v2;
        bad["split"][3]["weight"] = 1900;
        const auto r = call(c.head, plan_path + "/versions", bad);
        CHECK(r.status == 400);
        CHECK(FieldOf(r) == "split");
        bad = v2;
        bad["team"][2]["user_id"] = outsider.id;
        CHECK(FieldOf(call(c.head, plan_path + "/versions", bad)) == "team[2].user_id");
    }
    for (const char* name : {"HEAD", "CO_HEAD"}) {
        const auto r = call(*who.at(name), plan_path + "/versions", v2);
        INFO(name << ": " << r.body);
        REQUIRE(r.status == 200);
        CHECK(call(c.admin, plan_path + "/versions", v2).status == 412);  // one pending proposal at a time
        CHECK(call(h.client, plan_path + ":decide-version", json{{"version", 2}, {"approve", false}}).status == 200);
    }
    const auto proposed = call(c.admin, plan_path + "/versions", v2);
    REQUIRE(proposed.status == 200);
    CHECK(proposed.Json().at("proposal").value("client_id", "") == h.client.id);

    // Everyone of the clan and the client see the proposals; another clan's member and an outsider do not.
    for (const auto& [name, u] : who) {
        const auto r = Send(Request{"GET", "/v1/clans/" + c.clan_id + "/plan-proposals", u->token, {}, {}, {}});
        INFO(name << ": " << r.body);
        const bool sees = name != "OTHER CLAN" && name != "OUTSIDER";
        CHECK(r.status == (sees ? 200 : 403));
        if (sees) CHECK(r.Json().at("proposals").size() == 3);
    }
    // Deciding: only the contract's client; a stale version number is refused.
    for (const char* name : {"HEAD", "CO_HEAD", "ADMIN", "MEMBER", "OTHER CLAN", "OUTSIDER"}) {
        const auto r = call(*who.at(name), plan_path + ":decide-version", json{{"version", 2}, {"approve", true}});
        INFO(name << ": " << r.body);
        CHECK(r.status == 403);
    }
    CHECK(call(h.client, plan_path + ":decide-version", json{{"version", 3}, {"approve", true}}).status == 412);
    const auto approved = call(h.client, plan_path + ":decide-version", json{{"version", 2}, {"approve", true}});
    INFO(approved.body);
    REQUIRE(approved.status == 200);
    CHECK(approved.Json().at("plan").value("approved_by", "") == h.client.id);
    CHECK(approved.Json().at("plan").at("applies_to_milestone_ids").size() == 2);  // none released yet
    json plan = InForce(h);
    CHECK(plan.value("version", 0) == 2);
    CHECK(plan.value("leader_id", "") == c.head.id);
    CHECK(Int64(plan.at("shares").at(3), "weight") == 2000);
    // The client still does not see the plans themselves; every member does.
    CHECK(Send(Request{"GET", "/v1/clans/" + c.clan_id + "/payout-plans", h.client.token, {}, {}, {}}).status == 403);

    // Notifications: each member the application named was asked to agree, the client was asked to
    // decide, the members named were told of the locked plan and its change.
    CHECK(Notified(c.member, "clan.application_named"));
    CHECK(Notified(h.client, "clan.plan_version_proposed"));
    CHECK(Notified(c.member, "clan.plan_locked"));
    CHECK(Notified(c.member, "clan.plan_changed"));

    // The clan's work on the contract: packages on its milestones and tasks, each caller's rights.
    const std::string milestone = approved.Json().at("plan").at("applies_to_milestone_ids").at(0).get<std::string>();
    const std::string packages_path = "/v1/clans/" + c.clan_id + "/work-packages";
    const json package_body{{"contract_id", h.contract_id}, {"milestone_id", milestone}, {"title", "Backend"}};
    std::string package_id;
    for (const auto& [name, u] : who) {
        const auto r = call(*u, packages_path, package_body);
        INFO("create a package: " << name << ": " << r.body);
        const bool manager = name == "HEAD" || name == "CO_HEAD" || name == "ADMIN";
        CHECK(r.status == (manager ? 200 : 403));
        if (r.status == 200) package_id = r.Json().at("package").value("package_id", "");
    }
    REQUIRE_FALSE(package_id.empty());
    const std::string tasks_path = packages_path + "/" + package_id + "/tasks";
    std::string task_id;
    for (const auto& [name, u] : who) {
        const auto r = call(*u, tasks_path, json{{"title", "Login"}, {"assignee_id", c.member.id}});
        INFO("create a task: " << name << ": " << r.body);
        const bool manager = name == "HEAD" || name == "CO_HEAD" || name == "ADMIN";
        CHECK(r.status == (manager ? 200 : 403));
        if (r.status == 200) task_id = r.Json().at("task").value("task_id", "");
    }
    REQUIRE_FALSE(task_id.empty());
    CHECK(Notified(c.member, "clan.task_assigned"));
    const std::string task_path = "/v1/clans/" + c.clan_id + "/tasks/" + task_id + ":update";
    for (const char* name : {"OTHER CLAN", "OUTSIDER", "CLIENT"}) {
        const auto r = call(*who.at(name), task_path, json{{"status", "TASK_STATUS_IN_PROGRESS"}});
        INFO("move a task: " << name << ": " << r.body);
        CHECK(r.status == 403);
    }
    CHECK(call(c.member, task_path, json{{"status", "TASK_STATUS_IN_PROGRESS"}, {"logged_hours", 3}}).status == 200);
    CHECK(call(c.member, task_path, json{{"status", "TASK_STATUS_REVIEW"}}).status == 200);
    CHECK(call(c.member, task_path, json{{"status", "TASK_STATUS_DONE"}}).status == 403);  // the reviewer's
    CHECK(call(c.co_head, task_path, json{{"status", "TASK_STATUS_DONE"}}).status == 200);
    for (const auto& [name, u] : who) {
        const auto r = Send(Request{"GET", packages_path, u->token, {}, {}, {}});
        INFO("list the work: " << name << ": " << r.body);
        const bool member = name != "OTHER CLAN" && name != "OUTSIDER" && name != "CLIENT";
        CHECK(r.status == (member ? 200 : 403));
        if (member) CHECK(r.Json().at("packages").size() == 3);
    }

    // The MEMBER leaves: leaving works, the plan is flagged as needing a new version.
    REQUIRE(call(c.member, "/v1/clans/" + c.clan_id + ":leave", json::object()).status == 200);
    plan = InForce(h);
    CHECK(plan.value("version", 0) == 2);
    CHECK(plan.value("needs_new_version", false));
    CHECK(plan.at("departed_member_ids") == json::array({c.member.id}));
    CHECK(Notified(c.head, "clan.plan_needs_version"));
    // A version naming them is refused; one without them is proposed and approved, and the flag is gone.
    json naming_them = v2;
    naming_them["base_version"] = 2;
    CHECK(FieldOf(call(c.head, plan_path + "/versions", naming_them)) == "team[3].user_id");
    CHECK(call(c.head, plan_path + "/versions", v2).status == 412);  // base version 1 is stale now
    const json v3 = NextVersion(2, {{&c.head, 4000}, {&c.co_head, 3000}, {&c.admin, 3000}});
    REQUIRE(call(c.head, plan_path + "/versions", v3).status == 200);
    REQUIRE(call(h.client, plan_path + ":decide-version", json{{"version", 3}, {"approve", true}}).status == 200);
    plan = InForce(h);
    CHECK(plan.value("version", 0) == 3);
    CHECK_FALSE(plan.value("needs_new_version", false));
    CHECK(plan.at("shares").size() == 3);
}

TEST_CASE(
    "A hired clan's money edges as for a freelancer: funding without enough money changes nothing, a replayed accept "
    "answers again, racing accepts pay once",
    "[e2e][clans]") {
    HiredClan h = HireClan();
    const HttpClan& c = h.c;
    const json contract = Listed(h.client, h.contract_id);
    REQUIRE(contract.at("milestones").size() == 2);
    const std::string m1 = contract.at("milestones").at(0).at("milestone_id").get<std::string>();
    const std::string m2 = contract.at("milestones").at(1).at("milestone_id").get<std::string>();
    SignStatement(h);

    // 500.00 in the wallet, 600.00 asked: the milestone waits for funding with the reason; nothing moves.
    Deposit(h.client, 50000);
    Post(h.client.token, "/v1/milestones/" + m1 + ":fund", json::object());
    json milestone;
    REQUIRE(marketplace::testing::WaitUntil(
        [&] {
            milestone = Get(h.client.token, "/v1/milestones/" + m1).at("milestone");
            return milestone.value("state", "") == "MILESTONE_STATE_FUNDING_REQUIRED" &&
                   !milestone.value("funding_failure_reason", "").empty();
        },
        30s, 100ms));
    CHECK(milestone.value("funding_failure_reason", "").find("insufficient funds") != std::string::npos);
    CHECK(Available(h.client) == 50000);
    CHECK(InEscrow(h.client) == 0);

    Deposit(h.client, 50000);
    for (const auto& m : {m1, m2}) {
        Post(h.client.token, "/v1/milestones/" + m + ":fund", json::object());
        WaitMilestone(h.client, m, "MILESTONE_STATE_FUNDED");
        Post(c.admin.token, "/v1/milestones/" + m + ":submit", json{{"note", "Ready for review."}});
    }

    // The same accept sent twice under one key: the same answer twice.
    const Request accept{"POST", "/v1/milestones/" + m1 + ":accept", h.client.token, "{}", NewUuid(), {}};
    const auto first = Send(accept);
    const auto again = Send(accept);
    INFO(first.body << "\n" << again.body);
    CHECK(first.status == 200);
    CHECK(again.status == first.status);
    CHECK(again.body == first.body);

    // Four accepts of the second milestone at once, each under its own key.
    std::atomic<int> accepted{0}, server_errors{0};
    std::vector<std::thread> racers;
    for (int i = 0; i < 4; ++i) {
        racers.emplace_back([&] {
            const auto r = Send({"POST", "/v1/milestones/" + m2 + ":accept", h.client.token, "{}", NewUuid(), {}});
            if (r.status == 200) ++accepted;
            if (r.status >= 500) ++server_errors;
        });
    }
    for (auto& t : racers) t.join();
    CHECK(accepted.load() >= 1);
    CHECK(server_errors.load() == 0);
    for (const auto& m : {m1, m2}) WaitMilestone(h.client, m, "MILESTONE_STATE_PAID");

    // Paid once each, by the split: 600.00 then 400.00, as in the clan paid above.
    REQUIRE(marketplace::testing::WaitUntil(
        [&] {
            const auto ms = Get(c.member.token, "/v1/clans/" + c.clan_id + "/payouts")
                                .at("contracts")
                                .at(0)
                                .value("milestones", json::array());
            return ms.size() == 2 && ms.at(0).value("legs", json::array()).size() == 6 &&
                   ms.at(1).value("legs", json::array()).size() == 6;
        },
        30s, 100ms));
    std::this_thread::sleep_for(500ms);  // a second release would show by now
    CHECK(Available(c.head) == 1800 + 20880 + 1200 + 13920);
    for (const HttpUser* u : {&c.co_head, &c.admin, &c.member}) CHECK(Available(*u) == 10440 + 6960);
    CHECK(Available(h.client) == 0);
    CHECK(InEscrow(h.client) == 0);
    CHECK(LedgerViolations() == "");
}

TEST_CASE(
    "A hired clan's HEAD opens a dispute and its ADMIN settles it; a MEMBER cannot act; the released part pays by "
    "the split; every member lists the contract",
    "[e2e][clans]") {
    HiredClan h = HireClan();
    const HttpClan& c = h.c;
    const HttpUser outsider = RegisterUser("ROLE_FREELANCER", "dispute-outsider");

    // Every current member lists the clan's contract, with the side they act on.
    const std::map<const HttpUser*, std::string> sides = {{&c.head, "PARTY_ROLE_FREELANCER"},
                                                          {&c.co_head, "PARTY_ROLE_FREELANCER"},
                                                          {&c.admin, "PARTY_ROLE_FREELANCER"},
                                                          {&c.member, "PARTY_ROLE_UNSPECIFIED"},
                                                          {&h.client, "PARTY_ROLE_CLIENT"}};
    json contract;
    for (const auto& [user, side] : sides) {
        const json listed = Listed(*user, h.contract_id);
        INFO(user->id);
        REQUIRE(listed.is_object());
        CHECK(listed.value("clan_id", "") == c.clan_id);
        CHECK(listed.value("caller_role", "PARTY_ROLE_UNSPECIFIED") == side);
        contract = listed;
    }
    CHECK(Listed(outsider, h.contract_id).is_null());

    const std::string m1 = contract.at("milestones").at(0).at("milestone_id").get<std::string>();
    SignStatement(h);
    Deposit(h.client, 60000);
    Post(h.client.token, "/v1/milestones/" + m1 + ":fund", json::object());
    WaitMilestone(h.client, m1, "MILESTONE_STATE_FUNDED");
    Post(c.admin.token, "/v1/milestones/" + m1 + ":submit", json{{"note", "Ready for review."}});

    // Who may open: a MEMBER reads the milestone but may not open (403); an outsider cannot tell it
    // exists (404); the HEAD opens for the clan.
    const json claim = {{"reason_code", "REASON_CODE_UNRESPONSIVE"},
                        {"statement", "The client has not reviewed the delivery."},
                        {"amount_asked", Eur(60000)}};
    const auto open_as = [&](const HttpUser& who) {
        return Send({"POST", "/v1/milestones/" + m1 + "/disputes", who.token, claim.dump(), NewUuid(), {}});
    };
    CHECK(open_as(c.member).status == 403);
    CHECK(open_as(outsider).status == 404);
    const auto opened = open_as(c.head);
    INFO(opened.body);
    REQUIRE(opened.status == 200);
    const json dispute = opened.Json().at("dispute");
    const std::string dispute_id = dispute.at("dispute_id").get<std::string>();
    CHECK(dispute.value("opened_by", "") == c.head.id);
    CHECK(dispute.value("opener_side", "") == "SIDE_FREELANCER");
    CHECK(dispute.value("freelancer_id", "") == c.clan_id);

    REQUIRE(marketplace::testing::WaitUntil(
        [&] {
            return Get(h.client.token, "/v1/disputes/" + dispute_id).at("dispute").value("stage", "") ==
                   "STAGE_RESPONSE";
        },
        30s, 100ms));
    // The CO_HEAD reads it; a MEMBER and an outsider cannot tell it exists.
    CHECK(Get(c.co_head.token, "/v1/disputes/" + dispute_id).at("dispute").value("dispute_id", "") == dispute_id);
    for (const HttpUser* u : {&c.member, &outsider}) {
        CHECK(Send({"GET", "/v1/disputes/" + dispute_id, u->token, std::nullopt, "", {}}).status == 404);
    }

    // The client counters with half; a MEMBER cannot accept for the clan, the ADMIN does.
    Post(h.client.token, "/v1/disputes/" + dispute_id + ":respond",
         json{{"answer", "ANSWER_COUNTER"}, {"counter_release_bps", 5000}});
    const json accept = {{"release_bps", 5000}};
    CHECK(Send({"POST", "/v1/disputes/" + dispute_id + ":accept-offer", c.member.token, accept.dump(), NewUuid(), {}})
              .status == 404);
    const json resolved = Post(c.admin.token, "/v1/disputes/" + dispute_id + ":accept-offer", accept).at("dispute");
    CHECK(resolved.value("stage", "") == "STAGE_RESOLVED");

    // 300.00 released by the split (fee 30.00, the HEAD's commission 9.00, the pool 261.00 by
    // 40/20/20/20), 300.00 back to the client.
    REQUIRE(marketplace::testing::WaitUntil([&] { return Available(h.client) == 30000; }, 60s, 200ms));
    REQUIRE(marketplace::testing::WaitUntil([&] { return Available(c.head) == 900 + 10440; }, 30s, 200ms));
    for (const HttpUser* u : {&c.co_head, &c.admin, &c.member}) CHECK(Available(*u) == 5220);
    CHECK(InEscrow(h.client) == 0);
    CHECK(LedgerViolations() == "");
}
