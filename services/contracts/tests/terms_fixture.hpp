#pragma once
// A realistic set of contract terms for the unit tests.
#include "domain/contract.hpp"

namespace marketplace::contracts::testing {

inline ContractTerms SampleTerms() {
    const auto eur = core::Currency::Parse("EUR");
    ContractTerms t;
    t.contract_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    t.proposal_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c";
    t.job_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d";
    t.client_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5e";
    t.freelancer_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5f";
    t.title = "SaaS MVP";
    t.scope = "Build the first version of a subscription app.";
    t.stack = {"C++", "PostgreSQL"};
    t.nda_required = true;
    t.ip_assignment = true;
    t.total = core::Money(300000, eur);
    t.delivery_days = 30;
    t.review_period = std::chrono::hours(24 * 14);
    PlannedMilestone a;
    a.title = "Auth and billing";
    a.description = "Sign-up, login, Stripe billing.";
    a.amount = core::Money(120000, eur);
    a.due_date = TimePoint(std::chrono::seconds(1'800'000'000));  // 2027-01-15
    a.definition_of_done = {"Tests pass", "Deployed to staging"};
    PlannedMilestone b;
    b.title = "Dashboard";
    b.description = "";
    b.amount = core::Money(180000, eur);
    t.milestones = {a, b};
    return t;
}

}  // namespace marketplace::contracts::testing
