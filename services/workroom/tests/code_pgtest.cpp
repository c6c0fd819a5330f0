// Code and CI end to end on real PostgreSQL: repositories linked to a room (members only, the secret
// shown once), GitHub deliveries built here as GitHub builds them (GitHub-shaped JSON payloads signed
// with HMAC-SHA256 under the link's secret; this test plays GitHub's part as the sender) over gRPC
// and over HTTP through the gateway (in-process, routing to this workroom): pull requests and their
// checks stored, forged, stale and duplicate deliveries changing nothing, an out-of-order delivery
// kept from overwriting a newer state, and a submitted milestone's pull requests on the live stream
// and readable by the client.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "component.hpp"
#include "config.hpp"
#include "domain/github.hpp"
#include "gateway_pg_fixture.hpp"
#include "marketplace/blob/digest.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/status.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/testing/http_client.hpp"
#include "marketplace/testing/wait.hpp"
#include "marketplace/tokens/test_tokens.hpp"
#include "workroom_migrations.hpp"

namespace {

using namespace marketplace;
using namespace std::chrono_literals;
using nlohmann::json;
using workroom::v1::WorkroomCodeService;
using workroom::v1::WorkroomService;

workroom::Component::Config CodeConfig() {
    workroom::Component::Config config;
    config.feed.poll = std::chrono::minutes(10);  // a live event within the test came from NOTIFY
    config.code.max_links_per_room = 3;
    return config;
}

struct Fixture : workroom::testing::GatewayPgFixture {
    std::unique_ptr<WorkroomCodeService::Stub> stub;
    std::unique_ptr<WorkroomService::Stub> rooms;

    Fixture() : GatewayPgFixture("workroom_code", CodeConfig()) {
        const auto channel =
            grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
        stub = WorkroomCodeService::NewStub(channel);
        rooms = WorkroomService::NewStub(channel);
    }
};

Fixture& F() {
    static Fixture fixture;
    return fixture;
}

void Deliver(const google::protobuf::Message& event) { F().Deliver(event); }

struct Room {
    std::string contract_id;
    std::string room_id;
    std::string client;
    std::string freelancer;
    std::string milestone_id;
};

Room NewRoom() {
    Room room;
    room.client = "client-" + core::NewUuidV4().substr(0, 8);
    room.freelancer = "freelancer-" + core::NewUuidV4().substr(0, 8);
    room.contract_id = core::NewUuidV7();
    room.milestone_id = core::NewUuidV7();
    contracts::v1::ContractCreated e;
    e.set_contract_id(room.contract_id);
    e.set_proposal_id(core::NewUuidV7());
    e.set_client_id(room.client);
    e.set_freelancer_id(room.freelancer);
    e.add_milestone_ids(room.milestone_id);
    Deliver(e);
    db::InTransaction(F().runtime->pool(), [&](pqxx::work& tx) {
        room.room_id =
            tx.exec_params1("SELECT id::text FROM rooms WHERE contract_id = $1", room.contract_id)[0].c_str();
    });
    return room;
}

std::unique_ptr<grpc::ClientContext> As(const std::string& user_id, int seconds = 10) {
    return F().As(user_id, seconds);
}

using workroom::testing::ErrorField;

testing::HttpHeaders Bearer(const std::string& user) { return F().Bearer(user); }

// --- GitHub's side -----------------------------------------------------------------------------

std::string At(std::chrono::system_clock::duration from_now) {
    // GitHub writes whole seconds: "2026-12-06T21:04:05Z".
    const auto text = core::FormatRfc3339(std::chrono::floor<std::chrono::seconds>(F().clock->Now() + from_now));
    return text.substr(0, 19) + "Z";
}

std::string Sha(char digit) { return std::string(40, digit); }

json Repository(const std::string& full_name) {
    const auto slash = full_name.find('/');
    return {{"id", 700123},
            {"node_id", "R_kgDOAbc"},
            {"name", full_name.substr(slash + 1)},
            {"full_name", full_name},
            {"private", true},
            {"owner", {{"login", full_name.substr(0, slash)}, {"id", 4242}, {"type", "User"}}},
            {"html_url", "https://github.com/" + full_name},
            {"default_branch", "main"}};
}

json Sender() { return {{"login", "octo-dev"}, {"id", 583231}, {"type", "User"}}; }

// A `pull_request` delivery (action opened / synchronize / closed), as GitHub sends it.
json PullRequestEvent(const std::string& repo, int number, const std::string& action, const std::string& head_sha,
                      const std::string& updated_at, bool merged = false) {
    const bool closed = action == "closed";
    return {{"action", action},
            {"number", number},
            {"pull_request",
             {{"url", "https://api.github.com/repos/" + repo + "/pulls/" + std::to_string(number)},
              {"id", 1900000000 + number},
              {"html_url", "https://github.com/" + repo + "/pull/" + std::to_string(number)},
              {"number", number},
              {"state", closed ? "closed" : "open"},
              {"locked", false},
              {"title", "Checkout page: card form and validation"},
              {"user", {{"login", "octo-dev"}, {"id", 583231}, {"type", "User"}}},
              {"body", "Implements the card form of the first milestone."},
              {"created_at", updated_at},
              {"updated_at", updated_at},
              {"closed_at", closed ? json(updated_at) : json(nullptr)},
              {"merged_at", merged ? json(updated_at) : json(nullptr)},
              {"merged", merged},
              {"draft", false},
              {"head", {{"label", "octo-dev:feature/checkout"}, {"ref", "feature/checkout"}, {"sha", head_sha}}},
              {"base", {{"label", "octo-dev:main"}, {"ref", "main"}, {"sha", Sha('0')}}}}},
            {"repository", Repository(repo)},
            {"sender", Sender()}};
}

// A `check_run` delivery: queued / in_progress, or completed with a conclusion.
json CheckRunEvent(const std::string& repo, const std::string& name, const std::string& head_sha,
                   const std::string& status, const std::string& conclusion, const std::string& started_at,
                   const std::string& completed_at) {
    return {{"action", status == "completed" ? "completed" : "created"},
            {"check_run",
             {{"id", 28000001},
              {"name", name},
              {"head_sha", head_sha},
              {"status", status},
              {"conclusion", conclusion.empty() ? json(nullptr) : json(conclusion)},
              {"started_at", started_at},
              {"completed_at", completed_at.empty() ? json(nullptr) : json(completed_at)},
              {"html_url", "https://github.com/" + repo + "/runs/28000001"},
              {"app", {{"slug", "github-actions"}, {"name", "GitHub Actions"}}},
              {"pull_requests", json::array({{{"number", 7}}})}}},
            {"repository", Repository(repo)},
            {"sender", Sender()}};
}

// A `status` delivery (the commit status API).
json StatusEvent(const std::string& repo, const std::string& context, const std::string& sha, const std::string& state,
                 const std::string& updated_at) {
    return {{"id", 5500001},
            {"sha", sha},
            {"name", repo},
            {"target_url", "https://ci.example.com/builds/17"},
            {"context", context},
            {"description", "The build " + state},
            {"state", state},
            {"created_at", updated_at},
            {"updated_at", updated_at},
            {"repository", Repository(repo)},
            {"sender", Sender()}};
}

struct Delivery {
    std::string event;
    std::string id = core::NewUuidV4();
    std::string body;
    std::string signature;
};

Delivery Signed(const std::string& secret, const std::string& event, const json& payload) {
    Delivery d;
    d.event = event;
    d.body = payload.dump();
    d.signature = "sha256=" + blob::ToHex(blob::HmacSha256(secret, d.body));
    return d;
}

struct Sent {
    grpc::Status status;
    std::string outcome;
};

Sent Send(const std::string& link_id, const Delivery& d) {
    workroom::v1::HandleGitHubDeliveryRequest request;
    request.set_link_id(link_id);
    request.set_event(d.event);
    request.set_delivery_id(d.id);
    request.set_signature(d.signature);
    request.set_body(d.body);
    workroom::v1::HandleGitHubDeliveryResponse response;
    auto ctx = As("");  // no access token: GitHub has none
    Sent out;
    out.status = F().stub->HandleGitHubDelivery(ctx.get(), request, &response);
    out.outcome = response.outcome();
    return out;
}

testing::HttpResponse SendHttp(const std::string& link_id, const Delivery& d) {
    testing::HttpClient http(F().gateway_port);
    return http.Post("/webhooks/github/" + link_id, d.body,
                     {{"Content-Type", "application/json"},
                      {"User-Agent", "GitHub-Hookshot/2c3d4e5"},
                      {"X-GitHub-Event", d.event},
                      {"X-GitHub-Delivery", d.id},
                      {"X-GitHub-Hook-ID", "481516"},
                      {"X-Hub-Signature-256", d.signature}});
}

workroom::v1::LinkRepositoryResponse Link(const Room& room, const std::string& repo) {
    workroom::v1::LinkRepositoryRequest request;
    request.set_room_id(room.room_id);
    request.set_repository(repo);
    workroom::v1::LinkRepositoryResponse response;
    auto ctx = As(room.freelancer);
    const auto status = F().stub->LinkRepository(ctx.get(), request, &response);
    if (!status.ok()) throw std::runtime_error("LinkRepository: " + status.error_message());
    return response;
}

std::vector<workroom::v1::PullRequest> PullRequests(const Room& room, const std::string& user) {
    workroom::v1::ListPullRequestsRequest request;
    request.set_room_id(room.room_id);
    workroom::v1::ListPullRequestsResponse response;
    auto ctx = As(user);
    const auto status = F().stub->ListPullRequests(ctx.get(), request, &response);
    if (!status.ok()) throw std::runtime_error("ListPullRequests: " + status.error_message());
    return {response.pull_requests().begin(), response.pull_requests().end()};
}

std::string Snapshot(const Room& room) {
    std::string out;
    for (const auto& pr : PullRequests(room, room.client)) out += pr.SerializeAsString();
    return out;
}

}  // namespace

TEST_CASE("Code over gRPC: only members link a repository; the secret is shown once; names are checked",
          "[workroom][code][pg]") {
    const auto room = NewRoom();
    const auto linked = Link(room, "octo-dev/shop-checkout");
    CHECK(linked.secret().size() == 64);
    CHECK(linked.secret().find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(linked.link().webhook_path() == "/webhooks/github/" + linked.link().link_id());
    CHECK(linked.link().linked_by() == room.freelancer);
    // A second link has its own secret.
    const auto second = Link(room, "octo-dev/shop-api");
    CHECK(second.secret() != linked.secret());

    // The list shows the links, never a secret (the message has no field for it).
    workroom::v1::ListRepositoriesRequest list;
    list.set_room_id(room.room_id);
    workroom::v1::ListRepositoriesResponse listed;
    auto ctx = As(room.client);
    REQUIRE(F().stub->ListRepositories(ctx.get(), list, &listed).ok());
    REQUIRE(listed.links_size() == 2);
    CHECK(listed.SerializeAsString().find(linked.secret()) == std::string::npos);

    workroom::v1::LinkRepositoryRequest request;
    request.set_room_id(room.room_id);
    request.set_repository("octo-dev/shop-checkout");
    workroom::v1::LinkRepositoryResponse response;
    auto stranger = As("someone-else");
    CHECK(F().stub->LinkRepository(stranger.get(), request, &response).error_code() == grpc::StatusCode::NOT_FOUND);
    stranger = As("someone-else");
    CHECK(F().stub->ListRepositories(stranger.get(), list, &listed).error_code() == grpc::StatusCode::NOT_FOUND);
    ctx = As(room.client);
    request.set_repository("OCTO-DEV/Shop-Checkout");  // GitHub's names ignore case
    CHECK(F().stub->LinkRepository(ctx.get(), request, &response).error_code() == grpc::StatusCode::ALREADY_EXISTS);
    for (const std::string bad : {"no-slash", "owner/", "/repo", "own er/repo", "owner/..", "-owner/repo", "a/b/c"}) {
        request.set_repository(bad);
        ctx = As(room.client);
        CHECK(F().stub->LinkRepository(ctx.get(), request, &response).error_code() ==
              grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(ErrorField(*ctx) == "repository");
    }
    request.set_repository("octo-dev/third");
    ctx = As(room.client);
    REQUIRE(F().stub->LinkRepository(ctx.get(), request, &response).ok());
    request.set_repository("octo-dev/fourth");
    ctx = As(room.client);
    CHECK(F().stub->LinkRepository(ctx.get(), request, &response).error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);

    // Unlinking: members only; afterwards the link's deliveries are refused.
    workroom::v1::UnlinkRepositoryRequest unlink;
    unlink.set_room_id(room.room_id);
    unlink.set_link_id(second.link().link_id());
    workroom::v1::UnlinkRepositoryResponse unlinked;
    stranger = As("someone-else");
    CHECK(F().stub->UnlinkRepository(stranger.get(), unlink, &unlinked).error_code() == grpc::StatusCode::NOT_FOUND);
    ctx = As(room.client);
    REQUIRE(F().stub->UnlinkRepository(ctx.get(), unlink, &unlinked).ok());
    const auto late =
        Signed(second.secret(), "pull_request", PullRequestEvent("octo-dev/shop-api", 1, "opened", Sha('a'), At(0s)));
    CHECK(Send(second.link().link_id(), late).status.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(PullRequests(room, room.client).empty());
}

TEST_CASE(
    "Code over gRPC: signed deliveries store pull requests and checks; forged, stale and duplicate ones "
    "change nothing",
    "[workroom][code][pg]") {
    const auto room = NewRoom();
    const std::string repo = "octo-dev/shop-checkout";
    const auto link = Link(room, repo);
    const auto& link_id = link.link().link_id();
    const auto& secret = link.secret();

    const auto opened = Signed(secret, "pull_request", PullRequestEvent(repo, 7, "opened", Sha('a'), At(-60s)));
    const auto sent = Send(link_id, opened);
    REQUIRE(sent.status.ok());
    CHECK(sent.outcome == "applied");
    auto prs = PullRequests(room, room.client);
    REQUIRE(prs.size() == 1);
    CHECK(prs[0].number() == 7);
    CHECK(prs[0].state() == "open");
    CHECK(prs[0].repository() == repo);
    CHECK(prs[0].head_sha() == Sha('a'));
    CHECK(prs[0].head_ref() == "feature/checkout");
    CHECK(prs[0].author_login() == "octo-dev");
    CHECK(prs[0].url() == "https://github.com/" + repo + "/pull/7");
    CHECK(prs[0].checks_state() == "none");

    // CI reports on the head commit: running, then green; a commit status fails.
    REQUIRE(Send(link_id,
                 Signed(secret, "check_run", CheckRunEvent(repo, "build", Sha('a'), "in_progress", "", At(-50s), "")))
                .outcome == "applied");
    prs = PullRequests(room, room.client);
    REQUIRE(prs[0].checks_size() == 1);
    CHECK(prs[0].checks(0).state() == "pending");
    CHECK(prs[0].checks_state() == "pending");
    REQUIRE(Send(link_id, Signed(secret, "check_run",
                                 CheckRunEvent(repo, "build", Sha('a'), "completed", "success", At(-50s), At(-40s))))
                .outcome == "applied");
    prs = PullRequests(room, room.client);
    REQUIRE(prs[0].checks_size() == 1);
    CHECK(prs[0].checks(0).source() == "check_run");
    CHECK(prs[0].checks(0).name() == "build");
    CHECK(prs[0].checks(0).state() == "success");
    CHECK(prs[0].checks_state() == "success");
    REQUIRE(
        Send(link_id, Signed(secret, "status", StatusEvent(repo, "ci/lint", Sha('a'), "failure", At(-30s)))).outcome ==
        "applied");
    prs = PullRequests(room, room.client);
    CHECK(prs[0].checks_size() == 2);
    CHECK(prs[0].checks_state() == "failure");
    const auto before = Snapshot(room);

    SECTION("a forged delivery (signed with another secret, or altered after signing) is refused") {
        auto forged = Signed(std::string(64, 'f'), "pull_request",
                             PullRequestEvent(repo, 7, "closed", Sha('a'), At(0s), /*merged=*/true));
        auto refused = Send(link_id, forged);
        CHECK(refused.status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
        auto altered = Signed(secret, "status", StatusEvent(repo, "ci/lint", Sha('a'), "failure", At(0s)));
        const auto at = altered.body.find("\"failure\"");
        altered.body.replace(at, 9, "\"success\"");
        CHECK(Send(link_id, altered).status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
        auto unsigned_delivery = altered;
        unsigned_delivery.signature = "";
        CHECK(Send(link_id, unsigned_delivery).status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
        CHECK(Snapshot(room) == before);
        // Its delivery id was not remembered: the genuine delivery with that id still applies.
        auto genuine = Signed(secret, "status", StatusEvent(repo, "ci/lint", Sha('a'), "success", At(0s)));
        genuine.id = forged.id;
        CHECK(Send(link_id, genuine).outcome == "applied");
        CHECK(PullRequests(room, room.client)[0].checks_state() == "success");
    }
    SECTION("a duplicate delivery id changes nothing, even with another signed body") {
        auto again = Signed(secret, "status", StatusEvent(repo, "ci/lint", Sha('a'), "success", At(0s)));
        again.id = opened.id;
        const auto dup = Send(link_id, again);
        REQUIRE(dup.status.ok());
        CHECK(dup.outcome == "duplicate");
        CHECK(Send(link_id, opened).outcome == "duplicate");
        CHECK(Snapshot(room) == before);
    }
    SECTION("a stale delivery (its signed event time older than the accepted age) is refused") {
        const auto stale =
            Signed(secret, "pull_request", PullRequestEvent(repo, 7, "closed", Sha('a'), At(-2h), /*merged=*/true));
        const auto refused = Send(link_id, stale);
        CHECK(refused.status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
        CHECK(refused.status.error_message().find("stale") != std::string::npos);
        const auto future = Signed(secret, "status", StatusEvent(repo, "ci/lint", Sha('a'), "success", At(1h)));
        CHECK(Send(link_id, future).status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
        CHECK(Snapshot(room) == before);
    }
    SECTION("an out-of-order delivery older than the stored state is kept out") {
        const auto older = Signed(secret, "status", StatusEvent(repo, "ci/lint", Sha('a'), "success", At(-35s)));
        CHECK(Send(link_id, older).outcome == "outdated");
        const auto older_pr =
            Signed(secret, "pull_request", PullRequestEvent(repo, 7, "closed", Sha('a'), At(-90s), true));
        CHECK(Send(link_id, older_pr).outcome == "outdated");
        CHECK(Snapshot(room) == before);
    }
    SECTION("a delivery for another repository, or malformed, is refused; a ping is ignored") {
        const auto other =
            Signed(secret, "pull_request", PullRequestEvent("mallory/other", 7, "closed", Sha('b'), At(0s), true));
        auto refused = Send(link_id, other);
        CHECK(refused.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        const auto broken = Signed(secret, "check_run", json{{"repository", Repository(repo)}});
        CHECK(Send(link_id, broken).status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        const auto ping = Signed(secret, "ping", json{{"zen", "Keep it logically awesome."}, {"hook_id", 481516}});
        CHECK(Send(link_id, ping).outcome == "ignored");
        CHECK(Snapshot(room) == before);
    }
    SECTION("a new head commit starts with no checks; the merge closes the pull request") {
        REQUIRE(
            Send(link_id, Signed(secret, "pull_request", PullRequestEvent(repo, 7, "synchronize", Sha('c'), At(-10s))))
                .outcome == "applied");
        prs = PullRequests(room, room.client);
        CHECK(prs[0].head_sha() == Sha('c'));
        CHECK(prs[0].checks_state() == "none");
        REQUIRE(Send(link_id, Signed(secret, "pull_request",
                                     PullRequestEvent(repo, 7, "closed", Sha('c'), At(0s), /*merged=*/true)))
                    .outcome == "applied");
        CHECK(PullRequests(room, room.client)[0].state() == "merged");
        CHECK(PullRequests(room, room.client).size() == 1);
    }
}

TEST_CASE("Code over gRPC: a submitted milestone shows its pull requests and checks on the stream and to the client",
          "[workroom][code][pg]") {
    const auto room = NewRoom();
    const std::string repo = "octo-dev/shop-checkout";
    const auto link = Link(room, repo);
    REQUIRE(Send(link.link().link_id(),
                 Signed(link.secret(), "pull_request", PullRequestEvent(repo, 12, "opened", Sha('d'), At(-20s))))
                .outcome == "applied");
    REQUIRE(
        Send(link.link().link_id(), Signed(link.secret(), "check_suite",
                                           json{{"action", "completed"},
                                                {"check_suite",
                                                 {{"id", 991},
                                                  {"head_branch", "feature/checkout"},
                                                  {"head_sha", Sha('d')},
                                                  {"status", "completed"},
                                                  {"conclusion", "success"},
                                                  {"url", "https://api.github.com/repos/" + repo + "/check-suites/991"},
                                                  {"updated_at", At(-10s)},
                                                  {"app", {{"slug", "github-actions"}, {"name", "GitHub Actions"}}}}},
                                                {"repository", Repository(repo)},
                                                {"sender", Sender()}}))
            .outcome == "applied");
    const auto pr = PullRequests(room, room.freelancer).at(0);

    // Put under the milestone: members only, and only the contract's milestones.
    workroom::v1::SetPullRequestMilestoneRequest assign;
    assign.set_room_id(room.room_id);
    assign.set_pull_request_id(pr.pull_request_id());
    assign.set_milestone_id(core::NewUuidV7());
    workroom::v1::SetPullRequestMilestoneResponse assigned;
    auto ctx = As(room.freelancer);
    CHECK(F().stub->SetPullRequestMilestone(ctx.get(), assign, &assigned).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ErrorField(*ctx) == "milestone_id");
    assign.set_milestone_id(room.milestone_id);
    auto stranger = As("someone-else");
    CHECK(F().stub->SetPullRequestMilestone(stranger.get(), assign, &assigned).error_code() ==
          grpc::StatusCode::NOT_FOUND);
    ctx = As(room.freelancer);
    REQUIRE(F().stub->SetPullRequestMilestone(ctx.get(), assign, &assigned).ok());
    CHECK(assigned.pull_request().milestone_id() == room.milestone_id);

    // The client's stream, resumed from now on.
    workroom::v1::GetRoomRequest get_room;
    get_room.set_room_id(room.room_id);
    workroom::v1::GetRoomResponse got_room;
    ctx = As(room.client);
    REQUIRE(F().rooms->GetRoom(ctx.get(), get_room, &got_room).ok());
    auto stream_ctx = As(room.client, 30);
    workroom::v1::StreamWorkroomRequest stream_request;
    stream_request.set_resume_after(room.room_id + ":" + std::to_string(got_room.room().last_sequence()));
    auto reader = F().rooms->StreamWorkroom(stream_ctx.get(), stream_request);
    workroom::v1::WorkroomEvent event;
    REQUIRE(reader->Read(&event));
    REQUIRE(event.has_live());

    contracts::v1::MilestoneSubmitted submitted;
    submitted.set_milestone_id(room.milestone_id);
    submitted.set_contract_id(room.contract_id);
    submitted.set_auto_release_at("2026-12-20T00:00:00Z");
    Deliver(submitted);

    REQUIRE(reader->Read(&event));
    REQUIRE(event.has_milestone_submitted());
    CHECK(event.room_id() == room.room_id);
    const auto& shown = event.milestone_submitted();
    CHECK(shown.milestone_id() == room.milestone_id);
    REQUIRE(shown.pull_requests_size() == 1);
    CHECK(shown.pull_requests(0).number() == 12);
    CHECK(shown.pull_requests(0).checks_state() == "success");
    REQUIRE(shown.pull_requests(0).checks_size() == 1);
    CHECK(shown.pull_requests(0).checks(0).source() == "check_suite");
    CHECK(shown.pull_requests(0).checks(0).name() == "GitHub Actions");
    CHECK(shown.has_submitted_at());
    stream_ctx->TryCancel();
    while (reader->Read(&event)) {
    }
    reader->Finish();  // a stream is finished before its reader and context go away
    // And the server has ended it too: no call is left to complete while the process exits.
    CHECK(marketplace::testing::WaitUntil([] { return F().component->feed().open_total() == 0; }, 10s, 10ms));

    // And read back by the client, as the milestone's code now.
    workroom::v1::GetMilestoneCodeRequest code;
    code.set_room_id(room.room_id);
    code.set_milestone_id(room.milestone_id);
    workroom::v1::GetMilestoneCodeResponse got;
    ctx = As(room.client);
    REQUIRE(F().stub->GetMilestoneCode(ctx.get(), code, &got).ok());
    REQUIRE(got.milestone().pull_requests_size() == 1);
    CHECK(got.milestone().pull_requests(0).pull_request_id() == pr.pull_request_id());
    CHECK(got.milestone().has_submitted_at());
    stranger = As("someone-else");
    CHECK(F().stub->GetMilestoneCode(stranger.get(), code, &got).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE(
    "Code over HTTP through the gateway: link, signed deliveries, forged, duplicate and stale ones, "
    "a milestone's pull requests",
    "[workroom][code][pg]") {
    const auto room = NewRoom();
    const std::string repo = "octo-dev/shop-checkout";
    testing::HttpClient http(F().gateway_port);
    auto linked = http.Post("/v1/workrooms/" + room.room_id + "/repositories", json{{"repository", repo}}.dump(),
                            Bearer(room.freelancer));
    REQUIRE(linked.status == 200);
    const std::string secret = linked.Json()["secret"];
    const std::string link_id = linked.Json()["link"]["link_id"];
    CHECK(linked.Json()["link"]["webhook_path"] == "/webhooks/github/" + link_id);
    CHECK(http.Post("/v1/workrooms/" + room.room_id + "/repositories", json{{"repository", "x/y"}}.dump(),
                    Bearer("someone-else"))
              .status == 404);
    const auto listed = http.Get("/v1/workrooms/" + room.room_id + "/repositories", Bearer(room.client));
    REQUIRE(listed.status == 200);
    CHECK(listed.body.find(secret) == std::string::npos);

    const auto opened = Signed(secret, "pull_request", PullRequestEvent(repo, 3, "opened", Sha('e'), At(-30s)));
    auto r = SendHttp(link_id, opened);  // no Authorization header: the signature is the credential
    REQUIRE(r.status == 200);
    CHECK(r.Json()["outcome"] == "applied");
    const auto run =
        Signed(secret, "check_run", CheckRunEvent(repo, "test", Sha('e'), "completed", "success", At(-25s), At(-5s)));
    REQUIRE(SendHttp(link_id, run).Json()["outcome"] == "applied");

    // Forged: 401, nothing changes.
    auto forged =
        Signed(secret, "check_run", CheckRunEvent(repo, "test", Sha('e'), "completed", "failure", At(-25s), At(0s)));
    forged.signature = "sha256=" + blob::ToHex(blob::HmacSha256("not-the-secret", forged.body));
    r = SendHttp(link_id, forged);
    CHECK(r.status == 401);
    CHECK(r.Json()["code"] == "UNAUTHENTICATED");
    // Duplicate: 200 "duplicate", nothing changes.
    auto dup =
        Signed(secret, "check_run", CheckRunEvent(repo, "test", Sha('e'), "completed", "failure", At(-25s), At(0s)));
    dup.id = run.id;
    r = SendHttp(link_id, dup);
    CHECK(r.status == 200);
    CHECK(r.Json()["outcome"] == "duplicate");
    // Stale: 412, nothing changes.
    const auto stale = Signed(secret, "check_run",
                              CheckRunEvent(repo, "test", Sha('e'), "completed", "failure", At(-3h), At(-3h + 1s)));
    r = SendHttp(link_id, stale);
    CHECK(r.status == 412);
    CHECK(r.Json()["code"] == "FAILED_PRECONDITION");
    // The gateway refuses a delivery without GitHub's headers, and only POST.
    auto headless = SendHttp(link_id, Delivery{.event = "", .body = opened.body, .signature = opened.signature});
    CHECK(headless.status == 400);
    CHECK(headless.Json()["field"] == "X-GitHub-Event");
    CHECK(http.Get("/webhooks/github/" + link_id).status == 405);
    CHECK(SendHttp(core::NewUuidV4(), opened).status == 404);

    auto prs = http.Get("/v1/workrooms/" + room.room_id + "/pull-requests", Bearer(room.client));
    REQUIRE(prs.status == 200);
    REQUIRE(prs.Json()["pull_requests"].size() == 1);
    const auto pr = prs.Json()["pull_requests"][0];
    CHECK(pr["checks_state"] == "success");
    CHECK(pr["checks"][0]["name"] == "test");
    const std::string pr_id = pr["pull_request_id"];

    const auto assigned = http.Post("/v1/workrooms/" + room.room_id + "/pull-requests/" + pr_id + ":milestone",
                                    json{{"milestone_id", room.milestone_id}}.dump(), Bearer(room.freelancer));
    REQUIRE(assigned.status == 200);
    contracts::v1::MilestoneSubmitted submitted;
    submitted.set_milestone_id(room.milestone_id);
    submitted.set_contract_id(room.contract_id);
    Deliver(submitted);
    const auto code =
        http.Get("/v1/workrooms/" + room.room_id + "/milestones/" + room.milestone_id + "/code", Bearer(room.client));
    REQUIRE(code.status == 200);
    const auto milestone = code.Json()["milestone"];
    CHECK(milestone.contains("submitted_at"));
    REQUIRE(milestone["pull_requests"].size() == 1);
    CHECK(milestone["pull_requests"][0]["number"] == "3");  // int64 is a JSON string
    CHECK(milestone["pull_requests"][0]["checks_state"] == "success");
    CHECK(
        http.Get("/v1/workrooms/" + room.room_id + "/milestones/" + room.milestone_id + "/code", Bearer("someone-else"))
            .status == 404);

    // Unlinked over HTTP: later deliveries are 404.
    CHECK(http.Request("DELETE", "/v1/workrooms/" + room.room_id + "/repositories/" + link_id, {}, Bearer(room.client))
              .status == 200);
    CHECK(SendHttp(link_id, Signed(secret, "pull_request", PullRequestEvent(repo, 4, "opened", Sha('f'), At(0s))))
              .status == 404);
}
