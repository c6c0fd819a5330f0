// Job search over a real gRPC channel: full text, filters, ranking and paging.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <vector>

#include "job_helpers.hpp"
#include "proposal_helpers.hpp"

using namespace marketplace;
using namespace marketplace::jobs;
using namespace marketplace::jobs::testing;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> SearchAll(const std::string& token, v1::SearchJobsRequest request, int page_size) {
    auto& h = JobsHarness::Get();
    std::vector<std::string> ids;
    request.set_page_size(page_size);
    for (int pages = 0; pages < 50; ++pages) {
        v1::SearchJobsResponse response;
        const auto reply = h.Call(&Stub::SearchJobs, token, request, &response);
        INFO(reply.status.error_message());
        REQUIRE(reply.ok());
        CHECK(response.jobs_size() <= page_size);
        for (const auto& j : response.jobs()) ids.push_back(j.job_id());
        if (response.next_page_token().empty()) return ids;
        request.set_page_token(response.next_page_token());
    }
    FAIL("paging did not end");
    return ids;
}

}  // namespace

TEST_CASE(
    "Jobs API: search matches text, ranks title matches first, then newest, and filters by stack, budget and "
    "status",
    "[jobs][pg]") {
    auto& h = JobsHarness::Get();
    const auto client = h.NewClient();
    const auto word = UniqueWord();
    const auto tag = "tag" + UniqueWord();
    const auto older =
        Post(client, JobRequest("Plain job", "Mentions " + word + " once.", {tag, "Rust"}, 50'000, 90'000));
    const auto in_title = Post(client, JobRequest("Need " + word + " expert", "Title match.", {tag}, 100'000, 300'000));
    const auto newer =
        Post(client, JobRequest("Other job", "Mentions " + word + " once.", {tag, "Go"}, 200'000, 400'000));
    const auto dollars =
        Post(client, JobRequest("Dollar job", "Mentions " + word + " once.", {tag, "rust"}, 100'000, 200'000, "USD"));
    const auto closed = Post(client, JobRequest("Closed job", "Mentions " + word + " once.", {tag}, 100'000, 200'000));
    Post(client, JobRequest("Unrelated", "Nothing to see.", {tag}));
    v1::CloseJobRequest close;
    close.set_job_id(closed.job_id());
    v1::CloseJobResponse close_response;
    REQUIRE(h.Call(&Stub::CloseJob, client.token, close, &close_response, Key()).ok());

    v1::SearchJobsRequest text;
    text.set_query(word);
    v1::SearchJobsResponse found;
    REQUIRE(h.Call(&Stub::SearchJobs, "", text, &found).ok());  // public: no token needed
    CHECK(Ids(found.jobs()) ==
          std::vector<std::string>{in_title.job_id(), dollars.job_id(), newer.job_id(), older.job_id()});

    auto by_stack = text;
    by_stack.add_stack("RUST");
    by_stack.add_stack(tag);
    REQUIRE(h.Call(&Stub::SearchJobs, "", by_stack, &found).ok());
    CHECK(Ids(found.jobs()) == std::vector<std::string>{dollars.job_id(), older.job_id()});

    // Budget overlap: jobs whose range reaches 150000..250000 EUR.
    auto by_budget = text;
    by_budget.mutable_budget_min()->set_minor_units(150'000);
    by_budget.mutable_budget_min()->set_currency("EUR");
    by_budget.mutable_budget_max()->set_minor_units(250'000);
    by_budget.mutable_budget_max()->set_currency("EUR");
    REQUIRE(h.Call(&Stub::SearchJobs, "", by_budget, &found).ok());
    CHECK(Ids(found.jobs()) == std::vector<std::string>{in_title.job_id(), newer.job_id()});

    auto closed_too = text;
    closed_too.add_statuses(v1::JOB_STATUS_CLOSED);
    CHECK(h.Call(&Stub::SearchJobs, "", closed_too, &found).code() == grpc::StatusCode::UNAUTHENTICATED);
    REQUIRE(h.Call(&Stub::SearchJobs, client.token, closed_too, &found).ok());  // the closed job's own client
    CHECK(Ids(found.jobs()) == std::vector<std::string>{closed.job_id()});

    // Without text: every open job with the tag, newest first.
    v1::SearchJobsRequest tagged;
    tagged.add_stack(tag);
    REQUIRE(h.Call(&Stub::SearchJobs, "", tagged, &found).ok());
    CHECK(found.jobs_size() == 5);
    CHECK(found.jobs(0).title() == "Unrelated");
    CHECK(found.jobs(4).job_id() == older.job_id());
}

TEST_CASE("Jobs API: search pages with an opaque token through every result exactly once", "[jobs][pg]") {
    auto& h = JobsHarness::Get();
    const auto client = h.NewClient();
    const auto word = UniqueWord();
    const auto tag = "tag" + UniqueWord();
    for (int i = 0; i < 7; ++i) {
        const bool title_match = i % 3 == 0;
        Post(client, JobRequest(title_match ? "Wanted: " + word : "Job " + std::to_string(i),
                                "Mentions " + word + " in the description.", {tag}));
    }
    v1::SearchJobsRequest ranked;
    ranked.set_query(word);
    const auto all = SearchAll("", ranked, 100);
    REQUIRE(all.size() == 7);
    CHECK(SearchAll("", ranked, 2) == all);
    CHECK(SearchAll("", ranked, 1) == all);
    CHECK(std::set<std::string>(all.begin(), all.end()).size() == 7);

    v1::SearchJobsRequest unranked;
    unranked.add_stack(tag);
    const auto newest_first = SearchAll("", unranked, 100);
    REQUIRE(newest_first.size() == 7);
    CHECK(SearchAll("", unranked, 3) == newest_first);

    // A token only works with the query it came from; page sizes are limited.
    ranked.set_page_size(2);
    v1::SearchJobsResponse page;
    REQUIRE(h.Call(&Stub::SearchJobs, "", ranked, &page).ok());
    REQUIRE_FALSE(page.next_page_token().empty());
    auto other = unranked;
    other.set_page_token(page.next_page_token());
    auto reply = h.Call(&Stub::SearchJobs, "", other, &page);
    CHECK(reply.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(reply.field() == "page_token");
    ranked.set_page_size(101);
    reply = h.Call(&Stub::SearchJobs, "", ranked, &page);
    CHECK(reply.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(reply.field() == "page_size");
}

namespace {

/// The job ids `user` finds with the tag and the statuses (every page).
std::set<std::string> Found(const User& user, const std::string& tag, const std::vector<v1::JobStatus>& statuses) {
    v1::SearchJobsRequest request;
    request.add_stack(tag);
    for (const auto s : statuses) request.add_statuses(s);
    const auto ids = SearchAll(user.token, request, 100);
    return {ids.begin(), ids.end()};
}

bool GetJobShows(const User& user, const std::string& job_id) {
    v1::GetJobRequest request;
    request.set_job_id(job_id);
    v1::GetJobResponse response;
    const auto reply = JobsHarness::Get().Call(&Stub::GetJob, user.token, request, &response);
    if (!reply.ok()) CHECK(reply.code() == grpc::StatusCode::NOT_FOUND);
    return reply.ok();
}

}  // namespace

TEST_CASE("Jobs API: search finds a filled or closed job only for those GetJob shows it to, whatever the filter",
          "[jobs][pg][authz]") {
    auto& h = JobsHarness::Get();
    const auto client = h.NewClient();
    const auto winner = h.NewFreelancer();
    const auto loser = h.NewFreelancer();
    const auto invitee = h.NewFreelancer();
    const auto stranger = h.NewFreelancer();
    const auto other_client = h.NewClient();
    const auto admin = h.NewAdmin();
    const auto tag = "tag" + UniqueWord();

    // Filled: two proposals, one accepted (the other declined, its author still a participant).
    const auto filled = Post(client, JobRequest("Filled job", "Taken.", {tag}, 100'000, 500'000));
    const auto won = Submit(winner, Plan(filled.job_id()));
    Submit(loser, Plan(filled.job_id()));
    v1::AcceptProposalRequest accept;
    accept.set_proposal_id(won.proposal_id());
    v1::AcceptProposalResponse accepted;
    REQUIRE(h.Call(&Stub::AcceptProposal, client.token, accept, &accepted, Key()).ok());
    // Closed: one invite, then closed by its client.
    const auto closed = Post(client, JobRequest("Closed job", "Gone.", {tag}, 100'000, 500'000));
    v1::InviteFreelancerRequest invite;
    invite.set_job_id(closed.job_id());
    invite.set_freelancer_id(invitee.id);
    invite.set_message("Have a look");
    v1::InviteFreelancerResponse invited;
    REQUIRE(h.Call(&Stub::InviteFreelancer, client.token, invite, &invited, Key()).ok());
    v1::CloseJobRequest close;
    close.set_job_id(closed.job_id());
    v1::CloseJobResponse close_response;
    REQUIRE(h.Call(&Stub::CloseJob, client.token, close, &close_response, Key()).ok());
    const auto open = Post(client, JobRequest("Open job", "Still open.", {tag}, 100'000, 500'000));

    // Every status filter that widens a search beyond open jobs, alone and together.
    const std::vector<std::vector<v1::JobStatus>> filters{
        {},
        {v1::JOB_STATUS_OPEN},
        {v1::JOB_STATUS_IN_PROGRESS},
        {v1::JOB_STATUS_CLOSED},
        {v1::JOB_STATUS_IN_PROGRESS, v1::JOB_STATUS_CLOSED},
        {v1::JOB_STATUS_OPEN, v1::JOB_STATUS_IN_PROGRESS, v1::JOB_STATUS_CLOSED}};
    const std::vector<std::pair<std::string, const User*>> viewers{
        {"client", &client},   {"winner", &winner},     {"loser", &loser},
        {"invitee", &invitee}, {"stranger", &stranger}, {"other client", &other_client},
        {"admin", &admin}};
    const std::vector<std::pair<v1::JobStatus, std::string>> jobs{{v1::JOB_STATUS_IN_PROGRESS, filled.job_id()},
                                                                  {v1::JOB_STATUS_CLOSED, closed.job_id()},
                                                                  {v1::JOB_STATUS_OPEN, open.job_id()}};
    for (const auto& [who, user] : viewers) {
        for (const auto& statuses : filters) {
            std::set<std::string> expected;
            for (const auto& [status, id] : jobs) {
                const bool asked = statuses.empty()
                                       ? status == v1::JOB_STATUS_OPEN
                                       : std::find(statuses.begin(), statuses.end(), status) != statuses.end();
                if (asked && GetJobShows(*user, id)) expected.insert(id);
            }
            INFO(who << " with " << statuses.size() << " statuses");
            CHECK(Found(*user, tag, statuses) == expected);
        }
    }

    // What that rule means here, spelled out.
    const std::vector<v1::JobStatus> all{v1::JOB_STATUS_OPEN, v1::JOB_STATUS_IN_PROGRESS, v1::JOB_STATUS_CLOSED};
    const std::set<std::string> everything{filled.job_id(), closed.job_id(), open.job_id()};
    CHECK(Found(client, tag, all) == everything);
    CHECK(Found(admin, tag, all) == everything);
    CHECK(Found(winner, tag, all) == std::set<std::string>{filled.job_id(), open.job_id()});
    CHECK(Found(loser, tag, all) == std::set<std::string>{filled.job_id(), open.job_id()});
    CHECK(Found(invitee, tag, all) == std::set<std::string>{closed.job_id(), open.job_id()});
    CHECK(Found(stranger, tag, all) == std::set<std::string>{open.job_id()});
    CHECK(Found(other_client, tag, all) == std::set<std::string>{open.job_id()});
}
