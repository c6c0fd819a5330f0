#pragma once
// Helpers for the job tests: a job request, posting it, the ids of a page.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "jobs_fixture.hpp"

namespace marketplace::jobs::testing {

using Stub = v1::JobsService::Stub;
using namespace std::chrono_literals;

inline v1::PostJobRequest JobRequest(const std::string& title, const std::string& description,
                                     std::vector<std::string> stack = {"C++"}, std::int64_t min = 100'000,
                                     std::int64_t max = 200'000, const std::string& currency = "EUR") {
    v1::PostJobRequest r;
    r.set_title(title);
    r.set_description(description);
    for (auto& s : stack) r.add_stack(s);
    r.set_budget_type(v1::BUDGET_TYPE_FIXED);
    r.mutable_budget_min()->set_minor_units(min);
    r.mutable_budget_min()->set_currency(currency);
    r.mutable_budget_max()->set_minor_units(max);
    r.mutable_budget_max()->set_currency(currency);
    return r;
}

inline v1::Job Post(const User& client, const v1::PostJobRequest& request) {
    auto& h = JobsHarness::Get();
    v1::PostJobResponse response;
    const auto reply = h.Call(&Stub::PostJob, client.token, request, &response, Key());
    INFO(reply.status.error_message());
    REQUIRE(reply.ok());
    h.clock().Advance(1s);  // distinct creation times: recency order is deterministic
    return response.job();
}

inline std::vector<std::string> Ids(const google::protobuf::RepeatedPtrField<v1::Job>& jobs) {
    std::vector<std::string> ids;
    for (const auto& j : jobs) ids.push_back(j.job_id());
    return ids;
}

}  // namespace marketplace::jobs::testing
