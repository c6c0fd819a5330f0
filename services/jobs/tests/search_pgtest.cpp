// Job search over a real gRPC channel: full text, filters, ranking and paging.
#include <catch2/catch.hpp>

#include <set>

#include "job_helpers.hpp"

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
    REQUIRE(h.Call(&Stub::SearchJobs, h.NewFreelancer().token, closed_too, &found).ok());
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
