// Who may reach what, through the real stack: every route of the gateway's /openapi.json (so a new
// route is in the matrix on its own) is called with no token, as the client A and the freelancer B
// of one contract, as two strangers (a client and a freelancer with no part in it) and as the admin,
// with well-formed requests naming A's and B's resources. The table below says, per route, who owns
// the resources its path names; a route missing from it fails the test, so the table stays complete.
// Also: expired, tampered, `alg: none` and wrong-`kid` tokens are 401 everywhere.
#include <catch2/catch.hpp>

#include <cctype>
#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http_story.hpp"
#include "marketplace/testing/wait.hpp"
#include "marketplace/tokens/base64url.hpp"
#include "money_stack.hpp"

using namespace std::chrono_literals;
using namespace marketplace::e2e::http;
using marketplace::e2e::MoneyStack;

namespace {

enum class Access {
    kPublic,   // no token needed
    kAdmin,    // admins only: 403 to anyone else
    kOwned,    // names resources of A and/or B: 403/404 to everyone else
    kOwnData,  // the caller's own data (lists, creates): never shows another user's resources
    kAnyUser,  // any signed-in user (job pages, profiles, reviews)
    kStream,   // a long-lived stream of the caller's own events: only the no-token refusal is probed
};

struct Rule {
    Access access;
    /// kOwned: who owns the resources named in the path: "A", "B" or "AB" (both parties).
    std::string owners;
    /// Absent from /openapi.json until its service is routed by the gateway.
    bool optional = false;
    /// kAdmin: the admin's own call is not made (it would change the stack for every later test).
    bool skip_admin_call = false;
    /// kOwnData: the call ends the caller's sessions, so it is made by throwaway users, not the
    /// strangers whose tokens the later routes need.
    bool throwaway_callers = false;
};

Rule Public() { return {Access::kPublic, ""}; }
Rule Admin(bool skip_admin_call = false) { return {Access::kAdmin, "", false, skip_admin_call}; }
Rule Owned(const std::string& owners, bool optional = false) { return {Access::kOwned, owners, optional}; }
Rule OwnData(bool optional = false) { return {Access::kOwnData, "", optional}; }
Rule AnyUser() { return {Access::kAnyUser, ""}; }
Rule EndsOwnSessions() { return {Access::kOwnData, "", false, false, /*throwaway_callers=*/true}; }

/// "METHOD /path/{template}" as /openapi.json lists it -> who may call it.
const std::map<std::string, Rule>& Table() {
    static const std::map<std::string, Rule> kTable = {
        // the gateway's own
        {"GET /healthz", Public()},
        {"GET /readyz", Public()},
        {"GET /openapi.json", {Access::kPublic, "", /*optional=*/true}},
        // auth
        {"POST /v1/auth/register", Public()},
        {"POST /v1/auth/login", Public()},
        {"POST /v1/auth/refresh", Public()},
        {"POST /v1/auth/logout", OwnData()},  // the refresh token in the body is the credential
        {"GET /v1/auth/jwks", Public()},
        {"POST /v1/auth/signing-keys:rotate", Admin(/*skip_admin_call=*/true)},
        {"POST /v1/auth/signing-keys/{kid}:revoke", Admin()},  // the admin's call names an unknown kid: 404
        {"POST /v1/auth/password-reset:request", Public()},
        {"POST /v1/auth/password-reset:complete", Public()},
        {"POST /v1/me/password:change", OwnData()},
        {"POST /v1/me/sessions:revoke-all", EndsOwnSessions()},
        {"GET /v1/users/{user_id}/profile", AnyUser()},
        {"PATCH /v1/me/profile", OwnData()},
        {"POST /v1/users/{user_id}:set-staff-role", Admin(/*skip_admin_call=*/true)},
        // contracts
        {"GET /v1/contracts", OwnData()},
        {"GET /v1/contracts/{contract_id}", Owned("AB")},
        {"GET /v1/contracts/{contract_id}/statement-of-work", Owned("AB")},
        {"POST /v1/contracts/{contract_id}/statement-of-work:sign", Owned("AB")},
        {"GET /v1/contracts/{contract_id}/reviews", Owned("AB")},
        {"GET /v1/users/{reviewee_id}/reviews", AnyUser()},
        {"GET /v1/milestones/{milestone_id}", Owned("AB")},
        {"POST /v1/milestones/{milestone_id}:fund", Owned("A")},
        {"POST /v1/milestones/{milestone_id}:submit", Owned("B")},
        {"POST /v1/milestones/{milestone_id}:accept", Owned("A")},
        {"POST /v1/milestones/{milestone_id}:request-changes", Owned("A")},
        {"POST /v1/milestones/{milestone_id}:cancel", Owned("A")},
        {"POST /v1/milestones/{milestone_id}/reviews", Owned("AB")},
        // jobs
        {"GET /v1/job-templates", Public()},
        {"GET /v1/job-templates/{template_id}", Public()},
        {"GET /v1/jobs", Public()},
        {"POST /v1/jobs", OwnData()},
        {"GET /v1/jobs/{job_id}", AnyUser()},  // an open job; once filled, only its parties see it
        {"PATCH /v1/jobs/{job_id}", Owned("A")},
        {"POST /v1/jobs/{job_id}:close", Owned("A")},
        {"POST /v1/jobs/{job_id}/proposals", AnyUser()},  // any freelancer may propose
        {"GET /v1/jobs/{job_id}/proposals", Owned("A")},
        {"POST /v1/jobs/{job_id}/invites", Owned("A")},
        {"GET /v1/jobs/{job_id}/invites", Owned("A")},
        {"GET /v1/proposals/{proposal_id}", Owned("AB")},
        {"POST /v1/proposals/{proposal_id}:accept", Owned("A")},
        {"POST /v1/proposals/{proposal_id}:withdraw", Owned("B")},
        // a clan's named members agree; the world's proposal is B's own, so it is 404 to everyone
        {"POST /v1/proposals/{proposal_id}:agree", Owned("B")},
        {"GET /v1/me/jobs", OwnData()},
        {"GET /v1/me/proposals", OwnData()},
        {"GET /v1/me/invites", OwnData()},
        // payments
        {"POST /v1/wallet/deposits", OwnData()},
        {"GET /v1/wallet/deposits/{deposit_id}", Owned("A")},
        {"POST /v1/wallet/payouts", OwnData()},
        {"GET /v1/wallet/payouts/{payout_id}", Owned("A")},
        {"GET /v1/wallet/balances", OwnData()},
        {"GET /v1/escrows/{milestone_id}", Owned("A")},  // the client's money
        {"GET /v1/admin/ledger/audit", Admin()},
        {"POST /v1/admin/ledger/transfers", Admin()},
        {"POST /webhooks/payments/{provider}", Public()},  // authenticated by the provider's signature
        // notifications (routed once the gateway serves the notifications service)
        {"GET /v1/notifications", OwnData(/*optional=*/true)},
        {"POST /v1/notifications/{notification_id}:read", Owned("A", /*optional=*/true)},
        {"GET /v1/notifications:stream", {Access::kStream, "", /*optional=*/true}},
        // disputes: a dispute B opened on a second contract between A and B (staff rows: e2e_disputes_test)
        {"POST /v1/milestones/{milestone_id}/disputes", Owned("AB")},
        {"GET /v1/disputes", OwnData()},
        {"GET /v1/disputes/{dispute_id}", Owned("AB")},
        {"POST /v1/disputes/{dispute_id}:respond", Owned("AB")},
        {"POST /v1/disputes/{dispute_id}:offer", Owned("AB")},
        {"POST /v1/disputes/{dispute_id}:accept-offer", Owned("AB")},
        {"POST /v1/disputes/{dispute_id}:propose", Owned("AB")},
        {"POST /v1/disputes/{dispute_id}:accept-proposal", Owned("AB")},
        {"POST /v1/disputes/{dispute_id}:request-expert", Owned("AB")},
        {"POST /v1/disputes/{dispute_id}:recommend", Owned("AB")},
        {"POST /v1/disputes/{dispute_id}:decide", Owned("AB")},
        {"POST /v1/disputes/{dispute_id}:withdraw", Owned("AB")},
        {"POST /v1/disputes/{dispute_id}/evidence", Owned("AB")},
        // workroom: the contract's room is its parties'; a message is its author's (A's) to change
        {"GET /v1/workrooms", OwnData()},
        {"GET /v1/workrooms/{room_id}", Owned("AB")},
        {"POST /v1/workrooms/{room_id}/handle", Owned("AB")},
        {"POST /v1/workrooms/{room_id}/messages", Owned("AB")},
        {"GET /v1/workrooms/{room_id}/messages", Owned("AB")},
        {"PATCH /v1/workrooms/{room_id}/messages/{message_id}", Owned("A")},
        {"DELETE /v1/workrooms/{room_id}/messages/{message_id}", Owned("A")},
        {"GET /v1/workrooms/{room_id}/messages/{message_id}/history", Owned("AB")},
        {"GET /v1/workrooms/{room_id}/messages:search", Owned("AB")},
        {"POST /v1/workrooms/{room_id}:read", Owned("AB")},
        {"POST /v1/workrooms/{room_id}:typing", Owned("AB")},
        {"POST /v1/workrooms/{room_id}/tasks", Owned("AB")},
        {"GET /v1/workrooms/{room_id}/tasks", Owned("AB")},
        {"PATCH /v1/workrooms/{room_id}/tasks/{task_id}", Owned("AB")},
        {"POST /v1/workrooms/{room_id}/tasks/{task_id}:move", Owned("AB")},
        {"POST /v1/workrooms/{room_id}/calendar", Owned("AB")},
        {"GET /v1/workrooms/{room_id}/calendar", Owned("AB")},
        {"GET /v1/workrooms/{room_id}/calendar:ics", Owned("AB")},
        {"GET /v1/workrooms:stream", {Access::kStream, "", /*optional=*/true}},
        // workroom files: the room's parties', by room and by id; the download link itself is the
        // credential of GET /v1/files/{token}, which is not a route of /openapi.json
        {"POST /v1/workrooms/{room_id}/files", Owned("AB")},
        {"GET /v1/workrooms/{room_id}/files", Owned("AB")},
        {"GET /v1/workroom-files/{file_id}", Owned("AB")},
        {"POST /v1/workroom-files/{file_id}:link", Owned("AB")},
        // clans: B heads a clan; its page is public, its management B's (the roles inside a clan:
        // the clan matrix below)
        {"POST /v1/clans", OwnData()},
        {"GET /v1/clans/{clan_id}", AnyUser()},
        {"GET /v1/me/clans", OwnData()},
        {"POST /v1/clans/{clan_id}/invitations", Owned("B")},
        {"POST /v1/clans/{clan_id}/invitations:respond", AnyUser()},  // only one's own invitation: 404 here
        {"POST /v1/clans/{clan_id}/join-requests", AnyUser()},        // any freelancer may ask to join
        {"POST /v1/clans/{clan_id}/join-requests/{user_id}:decide", Owned("B")},
        {"POST /v1/clans/{clan_id}:leave", Owned("B")},
        {"POST /v1/clans/{clan_id}/members/{user_id}:remove", Owned("B")},
        {"POST /v1/clans/{clan_id}/members/{user_id}:set-role", Owned("B")},
        {"POST /v1/clans/{clan_id}:transfer-headship", Owned("B")},
        {"POST /v1/clans/{clan_id}:archive", Owned("B")},
        {"GET /v1/clans/{clan_id}/payout-plans", Owned("B")},  // the clan's members only
        {"GET /v1/clans/{clan_id}/payouts", Owned("B")},       // the clan's members only (served by contracts)
        // new plan versions: the clan's HEAD, CO_HEAD or ADMIN proposes, the contract's client
        // decides (B's clan has no contract here: e2e_clans_test has the hired clan's matrix)
        {"POST /v1/clans/{clan_id}/payout-plans/{proposal_id}/versions", Owned("B")},
        {"POST /v1/clans/{clan_id}/payout-plans/{proposal_id}:decide-version", Owned("B")},
        {"GET /v1/clans/{clan_id}/plan-proposals", Owned("B")},  // members, and the clan's clients
        // the clan's work: its HEAD, CO_HEAD or ADMIN creates, members see, a MEMBER moves their tasks
        {"POST /v1/clans/{clan_id}/work-packages", Owned("B")},
        {"GET /v1/clans/{clan_id}/work-packages", Owned("B")},
        {"POST /v1/clans/{clan_id}/work-packages/{package_id}/tasks", Owned("B")},
        {"POST /v1/clans/{clan_id}/tasks/{task_id}:update", Owned("B")},
        // workroom code and CI: the room's parties'; GitHub's deliveries are authenticated by their
        // signature under the link's secret, which the workroom verifies
        {"POST /v1/workrooms/{room_id}/repositories", Owned("AB")},
        {"GET /v1/workrooms/{room_id}/repositories", Owned("AB")},
        {"DELETE /v1/workrooms/{room_id}/repositories/{link_id}", Owned("AB")},
        {"GET /v1/workrooms/{room_id}/pull-requests", Owned("AB")},
        {"POST /v1/workrooms/{room_id}/pull-requests/{pull_request_id}:milestone", Owned("AB")},
        {"GET /v1/workrooms/{room_id}/milestones/{milestone_id}/code", Owned("AB")},
        {"POST /webhooks/github/{link_id}", Public()},
    };
    return kTable;
}

struct Route {
    std::string method;  // upper case
    std::string path;    // as /openapi.json lists it
    std::string key() const { return method + " " + path; }
};

/// Every operation of /openapi.json.
std::vector<Route> SpecRoutes() {
    const auto spec = Expect(200, Request{"GET", "/openapi.json", "", {}, {}, {}});
    std::vector<Route> routes;
    const std::set<std::string> methods{"get", "post", "put", "patch", "delete"};
    for (const auto& [path, ops] : spec.at("paths").items()) {
        for (const auto& [method, op] : ops.items()) {
            // WebSocket routes answer a plain request with 426 before anything else; their
            // authentication is checked on the upgrade (gateway_websocket_e2etest).
            if (op.is_object() && op.contains("x-websocket")) continue;
            if (methods.count(Lower(method)) > 0) routes.push_back(Route{Upper(method), path});
        }
    }
    return routes;
}

/// The world the matrix runs in: one contract between A and B with its milestone funded, A's
/// deposit and payout, and two strangers.
struct World {
    HttpDeal deal;
    HttpUser stranger_client, stranger_freelancer, admin;
    std::string deposit_id, payout_id, notification_id, room_id, message_id, task_id, file_id;
    HttpDeal disputed;  // a second contract between A and B, its milestone disputed by B
    std::string dispute_id;
    std::string clan_id;                     // B's clan
    std::map<std::string, std::string> ids;  // path variable -> value
    std::int64_t client_available = 0;

    /// The ids of A's and B's resources that no one else may see.
    std::vector<std::string> Private() const {
        return {deal.contract_id,
                deal.milestone_id,
                deal.proposal_id,
                deposit_id,
                payout_id,
                room_id,
                message_id,
                task_id,
                file_id,
                disputed.contract_id,
                disputed.milestone_id,
                dispute_id};
    }
};

World MakeWorld() {
    World w;
    w.deal = NewHttpDeal(60000, 100000);
    HttpDeal& d = w.deal;
    Post(d.client.token, "/v1/milestones/" + d.milestone_id + ":fund", json::object());
    WaitMilestone(d.client, d.milestone_id, "MILESTONE_STATE_FUNDED");
    w.deposit_id = Post(d.client.token, "/v1/wallet/deposits", json{{"amount", Eur(5000)}})
                       .at("deposit")
                       .at("deposit_id")
                       .get<std::string>();
    w.payout_id = Post(d.client.token, "/v1/wallet/payouts", json{{"amount", Eur(1000)}})
                      .at("payout")
                      .at("payout_id")
                      .get<std::string>();
    // The second contract, funded and disputed by B: the dispute routes' resources.
    w.disputed.client = d.client;
    w.disputed.freelancer = d.freelancer;
    w.disputed.template_id = d.template_id;
    w.disputed.job_id = PostJob(d.client, d.template_id);
    w.disputed.proposal_id = Propose(d.freelancer, w.disputed.job_id, 30000);
    AcceptProposal(w.disputed);
    SignStatementOfWork(w.disputed);
    Deposit(d.client, 30000);
    Post(d.client.token, "/v1/milestones/" + w.disputed.milestone_id + ":fund", json::object());
    WaitMilestone(d.client, w.disputed.milestone_id, "MILESTONE_STATE_FUNDED");
    w.dispute_id = Post(d.freelancer.token, "/v1/milestones/" + w.disputed.milestone_id + "/disputes",
                        json{{"reason_code", "REASON_CODE_QUALITY"},
                             {"statement", "Not paid for delivered work."},
                             {"amount_asked", Eur(30000)}})
                       .at("dispute")
                       .at("dispute_id")
                       .get<std::string>();
    WaitMilestone(d.client, w.disputed.milestone_id, "MILESTONE_STATE_DISPUTED");
    w.stranger_client = RegisterUser("ROLE_CLIENT", "stranger-client");
    w.stranger_freelancer = RegisterUser("ROLE_FREELANCER", "stranger-freelancer");
    w.admin = AdminUser();

    // A notification of A's, once notifications are routed (a fresh id otherwise: still A's to ask for).
    w.notification_id = NewUuid();
    const auto listed = Send(Request{"GET", "/v1/notifications", d.client.token, {}, {}, {}});
    if (listed.status == 200) {
        const auto list = listed.Json().value("notifications", json::array());
        if (!list.empty()) w.notification_id = list.at(0).value("notification_id", w.notification_id);
    }

    // The contract's room (workroom creates it from contracts' ContractCreated) and a message of A's in it.
    marketplace::testing::WaitUntil(
        [&] {
            for (const auto& room : Get(d.client.token, "/v1/workrooms").value("rooms", json::array())) {
                if (room.value("contract_id", "") == d.contract_id) w.room_id = room.value("room_id", "");
            }
            return !w.room_id.empty();
        },
        30s, 100ms);
    w.message_id = Post(d.client.token, "/v1/workrooms/" + w.room_id + "/messages", json{{"text", "Hello from A"}})
                       .at("message")
                       .at("message_id")
                       .get<std::string>();
    // A file of A's in the room ("Hello file" as text/plain).
    w.file_id = Post(d.client.token, "/v1/workrooms/" + w.room_id + "/files",
                     json{{"filename", "notes.txt"}, {"content_type", "text/plain"}, {"data", "SGVsbG8gZmlsZQ=="}})
                    .at("file")
                    .at("file_id")
                    .get<std::string>();

    w.task_id = Post(d.client.token, "/v1/workrooms/" + w.room_id + "/tasks", json{{"title", "A's task"}})
                    .at("task")
                    .at("task_id")
                    .get<std::string>();

    w.clan_id = Post(d.freelancer.token, "/v1/clans",
                     json{{"name", "B's clan"}, {"handle", "b-" + NewUuid().substr(0, 8)}, {"skills", {"C++"}}})
                    .at("clan")
                    .at("clan_id")
                    .get<std::string>();
    // contracts learns of the clan from clans' events: wait until it shows the HEAD the clan's payouts.
    if (!marketplace::testing::WaitUntil(
            [&] {
                return Send(Request{"GET", "/v1/clans/" + w.clan_id + "/payouts", d.freelancer.token, {}, {}, {}})
                           .status == 200;
            },
            30s, 100ms)) {
        FAIL("contracts never learnt of clan " << w.clan_id);
    }

    w.ids = {{"job_id", d.job_id},           {"clan_id", w.clan_id},           {"room_id", w.room_id},
             {"task_id", w.task_id},         {"message_id", w.message_id},     {"file_id", w.file_id},
             {"proposal_id", d.proposal_id}, {"contract_id", d.contract_id},   {"milestone_id", d.milestone_id},
             {"deposit_id", w.deposit_id},   {"payout_id", w.payout_id},       {"notification_id", w.notification_id},
             {"user_id", d.client.id},       {"reviewee_id", d.freelancer.id}, {"template_id", d.template_id},
             {"provider", "sandbox"},        {"dispute_id", w.dispute_id}};
    // Let the deposit and the payout settle, so the balance the test compares with is final.
    marketplace::testing::WaitUntil(
        [&] {
            const auto dep = Get(d.client.token, "/v1/wallet/deposits/" + w.deposit_id).at("deposit");
            const auto pay = Get(d.client.token, "/v1/wallet/payouts/" + w.payout_id).at("payout");
            return dep.value("status", "") != "DEPOSIT_STATUS_PENDING" &&
                   pay.value("status", "") != "PAYOUT_STATUS_PENDING";
        },
        20s, 100ms);
    w.client_available = Available(d.client);
    return w;
}

/// A well-formed body for a route: what its owner would send.
std::optional<std::string> BodyFor(const Route& route, const World& w) {
    if (route.method == "GET" || route.method == "DELETE") return std::nullopt;
    static const std::map<std::string, json> kBodies = {
        {"POST /v1/milestones/{milestone_id}:submit",
         json{{"note", "Deployed to staging."}, {"links", json::array({"https://staging.example"})}}},
        {"POST /v1/milestones/{milestone_id}:request-changes", json{{"feedback", "Please add the admin panel."}}},
        {"POST /v1/milestones/{milestone_id}/reviews",
         json{{"quality", 5}, {"communication", 5}, {"timeliness", 5}, {"text", "Great work."}}},
        {"PATCH /v1/jobs/{job_id}", json{{"job", json{{"title", "Taken over"}}}, {"update_mask", "title"}}},
        {"POST /v1/clans/{clan_id}/join-requests/{user_id}:decide", json{{"approve", true}}},
        {"POST /v1/clans/{clan_id}/members/{user_id}:set-role", json{{"role", "ROLE_ADMIN"}}},
        {"POST /v1/clans/{clan_id}/invitations:respond", json{{"accept", true}}},
        {"POST /v1/jobs/{job_id}/invites", json{{"freelancer_id", ""}, {"message", "Join us"}}},
        {"POST /v1/wallet/payouts", json{{"amount", Eur(100)}}},
        {"POST /v1/workrooms/{room_id}/files",
         json{{"filename", "notes.txt"}, {"content_type", "text/plain"}, {"data", "SGVsbG8gZmlsZQ=="}}},
        {"POST /v1/workrooms/{room_id}/repositories", json{{"repository", "ada-dev/shop"}}},
    };
    const auto it = kBodies.find(route.key());
    json body = it != kBodies.end() ? it->second : json::object();
    if (route.key() == "POST /v1/contracts/{contract_id}/statement-of-work:sign") {
        body = json{{"content_hash", w.deal.statement_of_work_hash}};
    }
    if (route.key() == "POST /v1/jobs/{job_id}/invites") body["freelancer_id"] = w.deal.freelancer.id;
    if (route.key() == "POST /v1/clans") {
        body = json{{"name", "Another clan"}, {"handle", "x-" + NewUuid().substr(0, 8)}};
    }
    if (route.key() == "POST /v1/clans/{clan_id}/invitations" ||
        route.key() == "POST /v1/clans/{clan_id}:transfer-headship") {
        body = json{{"user_id", w.deal.client.id}};
    }
    return body.dump();
}

Request Build(const Route& route, const World& w, const std::string& token) {
    std::string sent;
    for (std::size_t i = 0; i < route.path.size();) {
        if (route.path[i] != '{') {
            sent += route.path[i++];
            continue;
        }
        const auto close = route.path.find('}', i);
        std::string name = route.path.substr(i + 1, close - i - 1);
        name = name.substr(0, name.find('='));
        if (const auto dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
        const auto it = w.ids.find(name);
        sent += it != w.ids.end() ? it->second : NewUuid();
        i = close + 1;
    }
    Request r{route.method, sent, token, BodyFor(route, w), {}, {}};
    if (r.body) r.idempotency_key = NewUuid();
    return r;
}

std::string Code(const Response& r) {
    try {
        return r.Json().value("code", "");
    } catch (const std::exception&) {
        return "";
    }
}

/// One line of the printed matrix: route, then each caller's status.
struct Row {
    std::string route;
    std::map<std::string, int> statuses;
};

/// Every GET route that lists things, with every query that widens what it returns (filters on status,
/// on another user, on another contract; "" is no filter). {A}, {B}, {contract_id}: the world's ids.
/// Every GET route of /openapi.json is either here or in NotLists(), so a new list route must say
/// which of its filters widen.
const std::map<std::string, std::vector<std::string>>& ListFilters() {
    static const std::map<std::string, std::vector<std::string>> kFilters = {
        {"GET /v1/jobs",
         {"", "page_size=100", "statuses=JOB_STATUS_OPEN&page_size=100",
          "statuses=JOB_STATUS_IN_PROGRESS&page_size=100", "statuses=JOB_STATUS_CLOSED&page_size=100",
          "statuses=JOB_STATUS_IN_PROGRESS&statuses=JOB_STATUS_CLOSED",
          "statuses=JOB_STATUS_OPEN&statuses=JOB_STATUS_IN_PROGRESS&statuses=JOB_STATUS_CLOSED&page_size=100"}},
        {"GET /v1/me/jobs",
         {"", "status=JOB_STATUS_OPEN", "status=JOB_STATUS_IN_PROGRESS", "status=JOB_STATUS_CLOSED"}},
        {"GET /v1/me/proposals",
         {"", "status=PROPOSAL_STATUS_SUBMITTED", "status=PROPOSAL_STATUS_WITHDRAWN", "status=PROPOSAL_STATUS_DECLINED",
          "status=PROPOSAL_STATUS_ACCEPTED"}},
        {"GET /v1/me/invites", {"", "page_size=100"}},
        {"GET /v1/jobs/{job_id}/proposals",
         {"", "status=PROPOSAL_STATUS_SUBMITTED", "status=PROPOSAL_STATUS_WITHDRAWN", "status=PROPOSAL_STATUS_DECLINED",
          "status=PROPOSAL_STATUS_ACCEPTED"}},
        {"GET /v1/jobs/{job_id}/invites", {"", "page_size=100"}},
        {"GET /v1/job-templates", {""}},
        {"GET /v1/contracts", {"", "party_id={A}", "party_id={B}", "page_size=100&party_id={A}"}},
        {"GET /v1/contracts/{contract_id}/reviews", {"", "reviewee_id={B}"}},
        {"GET /v1/users/{reviewee_id}/reviews", {"", "contract_id={contract_id}"}},
        {"GET /v1/wallet/balances", {"", "user_id={A}", "user_id={B}"}},
        {"GET /v1/admin/ledger/audit", {""}},
        {"GET /v1/notifications", {"", "unread_only=true", "unread_only=false&page_size=100"}},
        {"GET /v1/disputes", {"", "page_size=100", "stage=STAGE_RESPONSE&page_size=100", "stage=STAGE_OPENING"}},
        {"GET /v1/workrooms", {"", "page_size=100"}},
        {"GET /v1/workrooms/{room_id}/messages", {"", "page_size=100", "after_sequence=1", "before_sequence=1000"}},
        {"GET /v1/workrooms/{room_id}/messages:search", {"", "query=hello"}},
        {"GET /v1/workrooms/{room_id}/tasks", {""}},
        {"GET /v1/workrooms/{room_id}/calendar", {""}},
        {"GET /v1/workrooms/{room_id}/files", {"", "page_size=100"}},
        {"GET /v1/me/clans", {""}},
        {"GET /v1/clans/{clan_id}/plan-proposals", {""}},
        {"GET /v1/clans/{clan_id}/work-packages", {"", "contract_id={contract_id}"}},
        {"GET /v1/workrooms/{room_id}/repositories", {""}},
        {"GET /v1/workrooms/{room_id}/pull-requests", {""}},
    };
    return kFilters;
}

/// GET routes that return one resource, or nothing of a user's.
const std::set<std::string>& NotLists() {
    static const std::set<std::string> kSingle = {
        "GET /healthz",
        "GET /readyz",
        "GET /openapi.json",
        "GET /v1/auth/jwks",
        "GET /v1/users/{user_id}/profile",
        "GET /v1/contracts/{contract_id}",
        "GET /v1/contracts/{contract_id}/statement-of-work",
        "GET /v1/milestones/{milestone_id}",
        "GET /v1/wallet/deposits/{deposit_id}",
        "GET /v1/wallet/payouts/{payout_id}",
        "GET /v1/escrows/{milestone_id}",
        "GET /v1/job-templates/{template_id}",
        "GET /v1/jobs/{job_id}",
        "GET /v1/proposals/{proposal_id}",
        "GET /v1/disputes/{dispute_id}",
        "GET /v1/workrooms/{room_id}",
        "GET /v1/workrooms/{room_id}/calendar:ics",
        "GET /v1/workrooms/{room_id}/messages/{message_id}/history",
        "GET /v1/workroom-files/{file_id}",
        "GET /v1/clans/{clan_id}",
        "GET /v1/clans/{clan_id}/payout-plans",
        "GET /v1/clans/{clan_id}/payouts",
        "GET /v1/workrooms/{room_id}/milestones/{milestone_id}/code",
    };
    return kSingle;
}

std::string Expand(std::string query, const World& w) {
    const std::map<std::string, std::string> values{
        {"{A}", w.deal.client.id}, {"{B}", w.deal.freelancer.id}, {"{contract_id}", w.deal.contract_id}};
    for (const auto& [placeholder, value] : values) {
        for (auto at = query.find(placeholder); at != std::string::npos; at = query.find(placeholder)) {
            query.replace(at, placeholder.size(), value);
        }
    }
    return query;
}

}  // namespace

TEST_CASE("Authorization matrix: every route of /openapi.json, as no one, the parties, strangers and the admin",
          "[e2e][authz]") {
    const auto routes = SpecRoutes();
    REQUIRE(routes.size() >= 40);
    const auto& table = Table();

    // The table covers every route, and names no route that is gone.
    std::set<std::string> in_spec;
    for (const auto& r : routes) {
        in_spec.insert(r.key());
        INFO("route " << r.key() << " of /openapi.json has no row in the authorization table");
        CHECK(table.count(r.key()) == 1);
    }
    for (const auto& [key, rule] : table) {
        if (rule.optional) continue;
        INFO("the authorization table names " << key << ", which /openapi.json does not list");
        CHECK(in_spec.count(key) == 1);
    }

    World w = MakeWorld();
    const HttpDeal& d = w.deal;
    const std::vector<std::pair<std::string, const HttpUser*>> strangers = {
        {"stranger client", &w.stranger_client}, {"stranger freelancer", &w.stranger_freelancer}};
    const auto private_ids = w.Private();

    // Writes that would end the deal (cancel, close, accept, withdraw) are refused to everyone asked
    // here except their owner, who is never asked to write: the deal stays as it is throughout.
    std::vector<Row> rows;
    for (const auto& route : routes) {
        const auto found = table.find(route.key());
        if (found == table.end()) continue;  // reported above
        const Rule& rule = found->second;
        Row row{route.key(), {}};
        const auto call = [&](const std::string& who, const std::string& token) {
            const auto request = Build(route, w, token);
            const auto response = Send(request);
            row.statuses[who] = response.status;
            return std::make_pair(request, response);
        };
        const auto describe = [&](const std::string& who, const std::pair<Request, Response>& rr) {
            return who + ": " + rr.first.method + " " + rr.first.path + " -> " + std::to_string(rr.second.status) +
                   " " + rr.second.body.substr(0, 300);
        };

        // No token.
        {
            const auto rr = call("none", "");
            INFO(describe("no token", rr));
            CHECK(rr.second.status < 500);
            if (rule.access == Access::kPublic) {
                CHECK(rr.second.status != 401);  // listed as public: really public
                CHECK(rr.second.status != 403);
            } else {
                CHECK(rr.second.status == 401);
                CHECK(Code(rr.second) == "UNAUTHENTICATED");
            }
        }
        if (rule.access == Access::kStream) {
            rows.push_back(row);
            continue;
        }

        switch (rule.access) {
            case Access::kPublic:
            case Access::kAnyUser:
                for (const auto& [who, user] : strangers) {
                    const auto rr = call(who, user->token);
                    INFO(describe(who, rr));
                    CHECK(rr.second.status < 500);
                    CHECK(rr.second.status != 401);
                }
                break;
            case Access::kAdmin: {
                for (const auto& [who, user] : std::vector<std::pair<std::string, const HttpUser*>>{
                         {"A", &d.client}, {"B", &d.freelancer}, strangers[0], strangers[1]}) {
                    const auto rr = call(who, user->token);
                    INFO(describe(who, rr));
                    CHECK(rr.second.status == 403);
                    CHECK(Code(rr.second) == "PERMISSION_DENIED");
                }
                if (!rule.skip_admin_call) {
                    const auto rr = call("admin", w.admin.token);
                    INFO(describe("admin", rr));
                    CHECK(rr.second.status < 500);
                    CHECK(rr.second.status != 401);
                    CHECK(rr.second.status != 403);
                }
                break;
            }
            case Access::kOwned: {
                REQUIRE_FALSE(rule.owners.empty());
                for (const auto& [who, user] : strangers) {
                    const auto rr = call(who, user->token);
                    INFO(describe(who, rr));
                    CHECK((rr.second.status == 403 || rr.second.status == 404));
                    // An error may repeat the id the caller sent, never name another of A's and B's.
                    for (const auto& id : private_ids) {
                        if (rr.first.path.find(id) != std::string::npos) continue;
                        INFO("leaks " << id);
                        CHECK(rr.second.body.find(id) == std::string::npos);
                    }
                }
                // The other party of the contract is refused the owner's action (resources A alone
                // owns, such as the wallet, are as foreign to B as to a stranger).
                for (const auto& [who, user] :
                     std::vector<std::pair<std::string, const HttpUser*>>{{"A", &d.client}, {"B", &d.freelancer}}) {
                    const bool owner = rule.owners.find(who) != std::string::npos;
                    if (owner) {
                        if (route.method == "GET") {
                            const auto rr = call(who, user->token);
                            INFO(describe(who + " (owner)", rr));
                            CHECK(rr.second.status ==
                                  200);  // the ids are real: the refusals above are not 404s by accident
                        }
                        continue;
                    }
                    const auto rr = call(who, user->token);
                    INFO(describe(who, rr));
                    CHECK(rr.second.status >= 400);
                    CHECK(rr.second.status < 500);
                    CHECK(rr.second.status != 401);
                    const bool wallet = rule.owners == "A" && (route.path.find("/wallet/") != std::string::npos ||
                                                               route.path.find("/escrows/") != std::string::npos);
                    if (wallet) CHECK((rr.second.status == 403 || rr.second.status == 404));
                }
                break;
            }
            case Access::kOwnData: {
                std::vector<HttpUser> throwaway;
                if (rule.throwaway_callers) {
                    throwaway = {RegisterUser("ROLE_CLIENT", "throwaway-client"),
                                 RegisterUser("ROLE_FREELANCER", "throwaway-freelancer")};
                }
                const auto callers =
                    rule.throwaway_callers
                        ? std::vector<std::pair<std::string, const HttpUser*>>{{"stranger client", &throwaway[0]},
                                                                               {"stranger freelancer", &throwaway[1]}}
                        : strangers;
                for (const auto& [who, user] : callers) {
                    const auto rr = call(who, user->token);
                    INFO(describe(who, rr));
                    CHECK(rr.second.status < 500);
                    CHECK(rr.second.status != 401);
                    for (const auto& id : private_ids) {
                        INFO("leaks " << id);
                        CHECK(rr.second.body.find(id) == std::string::npos);
                    }
                }
                break;
            }
            case Access::kStream:
                break;
        }
        rows.push_back(row);
    }

    std::cout << "Authorization matrix (" << rows.size() << " routes; status per caller):\n";
    for (const auto& row : rows) {
        std::cout << "  " << row.route << "\n     ";
        for (const auto& [who, status] : row.statuses) std::cout << " " << who << "=" << status;
        std::cout << "\n";
    }
    std::cout.flush();

    // List routes with every filter that widens them: a stranger never finds A's and B's resources,
    // the filled job included (it is no longer open, so only its parties see it).
    {
        auto listed_private = private_ids;
        listed_private.push_back(d.job_id);
        for (const auto& route : routes) {
            if (route.method != "GET") continue;
            const auto filters = ListFilters().find(route.key());
            INFO("GET route " << route.key() << " is neither in ListFilters() nor in NotLists()");
            CHECK((filters != ListFilters().end() || NotLists().count(route.key()) == 1));
            if (filters == ListFilters().end()) continue;
            for (const auto& filter : filters->second) {
                for (const auto& [who, user] : strangers) {
                    auto request = Build(route, w, user->token);
                    if (!filter.empty()) request.path += "?" + Expand(filter, w);
                    const auto response = Send(request);
                    INFO(who << ": GET " << request.path << " -> " << response.status << " "
                             << response.body.substr(0, 300));
                    CHECK(response.status < 500);
                    CHECK(response.status != 401);
                    for (const auto& id : listed_private) {
                        if (request.path.find(id) != std::string::npos) continue;  // it may repeat what it was sent
                        INFO("leaks " << id);
                        CHECK(response.body.find(id) == std::string::npos);
                    }
                    // Another user's balances are refused, not shown.
                    if (route.path == "/v1/wallet/balances" && !filter.empty()) CHECK(response.status == 403);
                }
            }
        }
        // The filters are real: the job's parties find the filled job with the status that widens the search.
        for (const auto* party : {&d.client, &d.freelancer}) {
            const auto found = Get(party->token, "/v1/jobs?statuses=JOB_STATUS_IN_PROGRESS&page_size=100").dump();
            INFO("a party searching in-progress jobs: " << found.substr(0, 300));
            CHECK(found.find(d.job_id) != std::string::npos);
        }
    }

    // Nothing the strangers and the other party tried moved anything.
    CHECK(MilestoneState(d.client, d.milestone_id) == "MILESTONE_STATE_FUNDED");
    CHECK(Available(d.client) == w.client_available);
    CHECK(InEscrow(d.client) == 60000 + 30000);  // the world's two escrows, the disputed one locked
    CHECK(MilestoneState(d.client, w.disputed.milestone_id) == "MILESTONE_STATE_DISPUTED");
    CHECK(Get(d.client.token, "/v1/jobs/" + d.job_id).at("job").value("title", "") != "Taken over");
    const auto audit = LedgerAudit();
    INFO(audit.dump());
    CHECK(audit.value("healthy", false));
}

namespace {

/// A JWT's three parts.
struct Jwt {
    json header, claims;
    std::string signature;  // base64url, as it was

    static Jwt Parse(const std::string& token) {
        const auto a = token.find('.');
        const auto b = token.find('.', a + 1);
        REQUIRE(b != std::string::npos);
        Jwt jwt;
        jwt.header = json::parse(*marketplace::tokens::Base64UrlDecode(token.substr(0, a)));
        jwt.claims = json::parse(*marketplace::tokens::Base64UrlDecode(token.substr(a + 1, b - a - 1)));
        jwt.signature = token.substr(b + 1);
        return jwt;
    }
    std::string Text() const {
        return marketplace::tokens::Base64UrlEncode(header.dump()) + "." +
               marketplace::tokens::Base64UrlEncode(claims.dump()) + "." + signature;
    }
};

}  // namespace

TEST_CASE("Tokens through the real stack: expired, tampered, alg none and unknown kid are 401 on every kind of route",
          "[e2e][authz]") {
    auto d = NewHttpDeal(30000, 0);
    const std::string good = d.client.token;
    const Jwt parsed = Jwt::Parse(good);
    REQUIRE(parsed.header.value("alg", "") == "EdDSA");
    REQUIRE(parsed.header.contains("kid"));

    std::vector<std::pair<std::string, std::string>> bad;
    {
        Jwt t = parsed;  // A claims to be the freelancer, with A's signature
        t.claims["sub"] = d.freelancer.id;
        bad.emplace_back("tampered subject", t.Text());
    }
    {
        Jwt t = parsed;
        t.claims["role"] = "admin";
        bad.emplace_back("tampered role", t.Text());
    }
    {
        Jwt t = parsed;
        t.header = json{{"alg", "none"}, {"typ", "JWT"}};
        t.claims["role"] = "admin";
        t.signature.clear();
        bad.emplace_back("alg none", t.Text());
        bad.emplace_back("alg none, signature kept", Jwt{t.header, parsed.claims, parsed.signature}.Text());
    }
    {
        Jwt t = parsed;
        t.header["kid"] = "no-such-key-id-00000000";
        bad.emplace_back("unknown kid", t.Text());
    }
    {
        Jwt t = parsed;
        t.signature[t.signature.size() / 2] = t.signature[t.signature.size() / 2] == 'A' ? 'B' : 'A';
        bad.emplace_back("flipped signature", t.Text());
    }

    const std::vector<Request> probes = {
        {"GET", "/v1/wallet/balances", "", {}, {}, {}},
        {"GET", "/v1/milestones/" + d.milestone_id, "", {}, {}, {}},
        {"POST", "/v1/wallet/deposits", "", json{{"amount", Eur(1000)}}.dump(), NewUuid(), {}},
        {"GET", "/v1/admin/ledger/audit", "", {}, {}, {}},
        {"GET", "/v1/job-templates", "", {}, {}, {}},  // public, but a bad token is still refused
    };
    const auto check_all = [&](const std::string& what, const std::string& token) {
        for (auto probe : probes) {
            probe.token = token;
            auto r = Send(probe);
            // A kid the gateway has not cached wakes its background key fetch: until that fetch is
            // back the answer is 503 "try again" (the gateway never waits for auth on an I/O thread).
            for (int retry = 0; retry < 50 && r.status == 503 && Code(r) == "UNAVAILABLE"; ++retry) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                r = Send(probe);
            }
            INFO(what << ": " << probe.method << " " << probe.path << " -> " << r.status << " " << r.body);
            CHECK(r.status == 401);
            CHECK(Code(r) == "UNAUTHENTICATED");
        }
    };
    for (const auto& [what, token] : bad) check_all(what, token);
    // The genuine token works, so the refusals above are about the token.
    CHECK(Send(Request{"GET", "/v1/wallet/balances", good, {}, {}, {}}).status == 200);

    // Expired: the shared clock moves past the access token's lifetime (15 minutes by default).
    MoneyStack::Get().AdvanceClock(std::chrono::minutes(20));
    check_all("expired", good);
    Login(d.client);
    CHECK(Send(Request{"GET", "/v1/wallet/balances", d.client.token, {}, {}, {}}).status == 200);
    CHECK(Available(d.client) == 0);  // none of the refused deposits went through
}

namespace {

/// A clan's roles through the gateway: HEAD, CO_HEAD, ADMIN and MEMBER of one clan, a member of
/// another clan, an outsider freelancer and a client.
struct ClanWorld {
    std::string clan_id;
    std::map<std::string, HttpUser> who;  // "HEAD", "CO_HEAD", "ADMIN", "MEMBER", "OTHER CLAN", "OUTSIDER", "CLIENT"
};

std::string ClanPath(const ClanWorld& c, const std::string& tail) { return "/v1/clans/" + c.clan_id + tail; }

/// `user` joins `clan_id` through an invitation from `head`.
void JoinClan(const std::string& clan_id, const HttpUser& head, const HttpUser& user) {
    Post(head.token, "/v1/clans/" + clan_id + "/invitations", json{{"user_id", user.id}});
    Post(user.token, "/v1/clans/" + clan_id + "/invitations:respond", json{{"accept", true}});
}

ClanWorld MakeClanWorld() {
    ClanWorld c;
    for (const char* role : {"HEAD", "CO_HEAD", "ADMIN", "MEMBER", "OTHER CLAN", "OUTSIDER"}) {
        std::string name = std::string("clan-") + role;
        for (auto& ch : name) ch = ch == ' ' || ch == '_' ? '-' : static_cast<char>(std::tolower(ch));
        c.who[role] = RegisterUser("ROLE_FREELANCER", name);
    }
    c.who["CLIENT"] = RegisterUser("ROLE_CLIENT", "clan-client");
    const HttpUser& head = c.who["HEAD"];
    c.clan_id = Post(head.token, "/v1/clans", json{{"name", "Matrix"}, {"handle", "m-" + NewUuid().substr(0, 8)}})
                    .at("clan")
                    .at("clan_id")
                    .get<std::string>();
    for (const char* role : {"CO_HEAD", "ADMIN", "MEMBER"}) JoinClan(c.clan_id, head, c.who[role]);
    Post(head.token, ClanPath(c, "/members/" + c.who["CO_HEAD"].id + ":set-role"), json{{"role", "ROLE_CO_HEAD"}});
    Post(head.token, ClanPath(c, "/members/" + c.who["ADMIN"].id + ":set-role"), json{{"role", "ROLE_ADMIN"}});
    // The other clan's member heads a clan of their own.
    Post(c.who["OTHER CLAN"].token, "/v1/clans", json{{"name", "Other"}, {"handle", "o-" + NewUuid().substr(0, 8)}});
    return c;
}

int Call(const HttpUser& user, const std::string& path, const json& body) {
    return Send(Request{"POST", path, user.token, body.dump(), NewUuid(), {}}).status;
}

}  // namespace

TEST_CASE("Authorization matrix for a clan: HEAD, CO_HEAD, ADMIN, MEMBER, another clan's member, an outsider, a client",
          "[e2e][authz][clans]") {
    ClanWorld c = MakeClanWorld();
    const std::vector<std::string> callers = {"HEAD", "CO_HEAD", "ADMIN", "MEMBER", "OTHER CLAN", "OUTSIDER", "CLIENT"};
    const HttpUser& head = c.who.at("HEAD");
    std::map<std::string, std::map<std::string, int>> matrix;  // action -> caller -> status
    const auto expect = [&](const std::string& action, const std::set<std::string>& allowed, const std::string& who,
                            int status) {
        matrix[action][who] = status;
        INFO(action << " by " << who << " -> " << status);
        if (allowed.count(who) > 0) {
            CHECK(status == 200);
        } else {
            CHECK(status == 403);
        }
    };

    // Everyone signed in sees the page; pending lists only HEAD, CO_HEAD and ADMIN.
    Post(c.who.at("OUTSIDER").token, ClanPath(c, "/join-requests"), json{{"message", "Let me in"}});
    for (const auto& who : callers) {
        const auto page = Get(c.who.at(who).token, ClanPath(c, "")).at("clan");
        const bool manager = who == "HEAD" || who == "CO_HEAD" || who == "ADMIN";
        const bool own = who == "OUTSIDER";  // the outsider sees their own request
        INFO(who << ": " << page.dump());
        CHECK(page.at("members").size() == 4);
        CHECK(page.value("join_requests", json::array()).size() == (manager || own ? 1u : 0u));
    }

    // The payouts (served by contracts from its read model of clans' events): every member, no one else.
    const auto payouts = [&](const std::string& who) {
        return Send(Request{"GET", ClanPath(c, "/payouts"), c.who.at(who).token, {}, {}, {}}).status;
    };
    REQUIRE(marketplace::testing::WaitUntil([&] { return payouts("MEMBER") == 200; }, 30s, 100ms));
    for (const auto& who : callers) {
        expect("see the payouts", {"HEAD", "CO_HEAD", "ADMIN", "MEMBER"}, who, payouts(who));
    }

    const std::set<std::string> managers = {"HEAD", "CO_HEAD", "ADMIN"};
    for (const auto& who : callers) {
        // Invite a new user.
        expect("invite", managers, who, Call(c.who.at(who), ClanPath(c, "/invitations"), json{{"user_id", NewUuid()}}));
        // Decide a join request (a fresh freelancer's, one per caller).
        const HttpUser asker = RegisterUser("ROLE_FREELANCER", "asker");
        Post(asker.token, ClanPath(c, "/join-requests"), json::object());
        expect("decide join request", managers, who,
               Call(c.who.at(who), ClanPath(c, "/join-requests/" + asker.id + ":decide"), json{{"approve", false}}));
        // Remove a MEMBER (a fresh one per caller).
        const HttpUser extra = RegisterUser("ROLE_FREELANCER", "extra-member");
        JoinClan(c.clan_id, head, extra);
        expect("remove a MEMBER", managers, who,
               Call(c.who.at(who), ClanPath(c, "/members/" + extra.id + ":remove"), json::object()));
        // Promote the MEMBER to ADMIN (then back, by the HEAD).
        const std::string member_path = ClanPath(c, "/members/" + c.who.at("MEMBER").id + ":set-role");
        const int set_role = Call(c.who.at(who), member_path, json{{"role", "ROLE_ADMIN"}});
        expect("set a MEMBER's role", {"HEAD", "CO_HEAD"}, who, set_role);
        if (set_role == 200) Post(head.token, member_path, json{{"role", "ROLE_MEMBER"}});
        // Headship and the archive: only the HEAD (its own calls come last, below).
        if (who != "HEAD") {
            expect("transfer headship", {}, who,
                   Call(c.who.at(who), ClanPath(c, ":transfer-headship"), json{{"user_id", c.who.at("MEMBER").id}}));
            expect("archive", {}, who, Call(c.who.at(who), ClanPath(c, ":archive"), json::object()));
        }
    }
    // Removal goes down the ranks only: the ADMIN cannot remove the CO_HEAD, nor the CO_HEAD the HEAD.
    CHECK(Call(c.who.at("ADMIN"), ClanPath(c, "/members/" + c.who.at("CO_HEAD").id + ":remove"), json::object()) ==
          403);
    CHECK(Call(c.who.at("CO_HEAD"), ClanPath(c, "/members/" + head.id + ":remove"), json::object()) == 403);
    // Leaving: the HEAD cannot (412: transfer first); outsiders are no members.
    CHECK(Call(head, ClanPath(c, ":leave"), json::object()) == 412);
    CHECK(Call(c.who.at("OUTSIDER"), ClanPath(c, ":leave"), json::object()) == 403);
    CHECK(Call(c.who.at("CLIENT"), ClanPath(c, ":leave"), json::object()) == 403);
    // Clients neither create nor join clans.
    CHECK(Call(c.who.at("CLIENT"), "/v1/clans", json{{"name", "No"}, {"handle", "n-" + NewUuid().substr(0, 8)}}) ==
          403);
    CHECK(Call(c.who.at("CLIENT"), ClanPath(c, "/join-requests"), json::object()) == 403);

    // The HEAD transfers headship to the CO_HEAD, who then archives the clan (no contract, no escrow).
    expect("transfer headship", {"HEAD"}, "HEAD",
           Call(head, ClanPath(c, ":transfer-headship"), json{{"user_id", c.who.at("CO_HEAD").id}}));
    CHECK(Call(head, ClanPath(c, ":archive"), json::object()) == 403);  // no longer HEAD
    CHECK(Call(c.who.at("CO_HEAD"), ClanPath(c, ":archive"), json::object()) == 200);
    const auto archived = Get(c.who.at("OUTSIDER").token, ClanPath(c, "")).at("clan");
    CHECK(archived.value("status", "") == "CLAN_STATUS_ARCHIVED");
    CHECK(Call(c.who.at("CO_HEAD"), ClanPath(c, "/invitations"), json{{"user_id", NewUuid()}}) == 412);

    std::cout << "Clan authorization matrix (status per caller):\n";
    for (const auto& [action, row] : matrix) {
        std::cout << "  " << action << "\n     ";
        for (const auto& [who, status] : row) std::cout << " " << who << "=" << status;
        std::cout << "\n";
    }
    std::cout.flush();
}
