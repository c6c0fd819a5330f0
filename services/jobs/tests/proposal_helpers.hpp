#pragma once
// Helpers for the proposal tests: an open job, a valid two-milestone plan, submitting, reading.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "jobs_fixture.hpp"

namespace marketplace::jobs::testing {

using Stub = v1::JobsService::Stub;
using namespace std::chrono_literals;

inline v1::Job OpenJob(const User& client, const std::string& currency = "EUR") {
    auto& h = JobsHarness::Get();
    v1::PostJobRequest r;
    r.set_title("Payments integration");
    r.set_description("Integrate a payment provider into our shop.");
    r.add_stack("Node.js");
    r.add_stack("Stripe");
    r.mutable_budget_min()->set_minor_units(100'000);
    r.mutable_budget_min()->set_currency(currency);
    r.mutable_budget_max()->set_minor_units(500'000);
    r.mutable_budget_max()->set_currency(currency);
    r.set_nda_required(true);
    r.set_ip_assignment(true);
    v1::PostJobResponse response;
    const auto reply = h.Call(&Stub::PostJob, client.token, r, &response, Key());
    INFO(reply.status.error_message());
    REQUIRE(reply.ok());
    return response.job();
}

inline void SetDue(google::protobuf::Timestamp* out, core::Clock::TimePoint t) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    out->set_seconds(micros / 1'000'000);
    out->set_nanos(static_cast<std::int32_t>((micros % 1'000'000) * 1000));
}

/// A valid two-milestone plan: 100000 + 150000 = 250000 EUR over 30 days.
inline v1::SubmitProposalRequest Plan(const std::string& job_id, const std::string& letter = "I did this before.") {
    auto& h = JobsHarness::Get();
    const auto now = h.clock().Now();
    v1::SubmitProposalRequest r;
    r.set_job_id(job_id);
    r.set_cover_letter(letter);
    auto* first = r.add_milestones();
    first->set_title("Checkout flow");
    first->set_description("Card payments in the checkout.");
    first->mutable_amount()->set_minor_units(100'000);
    first->mutable_amount()->set_currency("EUR");
    SetDue(first->mutable_due_date(), now + 24h * 10);
    first->add_definition_of_done("Test payments succeed on staging");
    auto* second = r.add_milestones();
    second->set_title("Refunds and webhooks");
    second->mutable_amount()->set_minor_units(150'000);
    second->mutable_amount()->set_currency("EUR");
    SetDue(second->mutable_due_date(), now + 24h * 25);
    second->add_definition_of_done("Webhooks are idempotent");
    second->add_definition_of_done("Refunds appear in the admin");
    r.mutable_total()->set_minor_units(250'000);
    r.mutable_total()->set_currency("EUR");
    r.set_delivery_days(30);
    return r;
}

inline v1::Proposal Submit(const User& freelancer, const v1::SubmitProposalRequest& request) {
    auto& h = JobsHarness::Get();
    v1::SubmitProposalResponse response;
    const auto reply = h.Call(&Stub::SubmitProposal, freelancer.token, request, &response, Key());
    INFO(reply.status.error_message());
    REQUIRE(reply.ok());
    h.clock().Advance(1s);
    return response.proposal();
}

inline v1::Proposal GetProposal(const User& user, const std::string& id) {
    auto& h = JobsHarness::Get();
    v1::GetProposalRequest r;
    r.set_proposal_id(id);
    v1::GetProposalResponse response;
    REQUIRE(h.Call(&Stub::GetProposal, user.token, r, &response).ok());
    return response.proposal();
}

inline std::size_t CountType(const std::vector<OutboxRow>& rows, const std::string& type) {
    std::size_t n = 0;
    for (const auto& r : rows) n += r.type == type ? 1 : 0;
    return n;
}

}  // namespace marketplace::jobs::testing
