// Contract terms validation, who sees a contract, and its derived status.
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>

#include "domain/clan_payout.hpp"
#include "domain/contract.hpp"
#include "domain/review.hpp"
#include "marketplace/core/errors.hpp"
#include "terms_fixture.hpp"

using namespace marketplace;
using namespace marketplace::contracts;
using contracts::testing::SampleTerms;

namespace {

std::string FieldRefused(const std::function<void(ContractTerms&)>& change) {
    auto terms = SampleTerms();
    change(terms);
    try {
        ValidateTerms(terms);
    } catch (const core::InvalidArgument& e) {
        return e.field();
    }
    return "(accepted)";
}

}  // namespace

TEST_CASE("Contract terms: a sound plan is accepted", "[contracts][terms]") {
    CHECK_NOTHROW(ValidateTerms(SampleTerms()));
}

TEST_CASE("Contract terms: a plan that cannot make a contract names the field", "[contracts][terms]") {
    const auto usd = core::Currency::Parse("USD");
    CHECK(FieldRefused([](ContractTerms& t) { t.proposal_id = "not-a-uuid"; }) == "proposal_id");
    CHECK(FieldRefused([](ContractTerms& t) { t.freelancer_id = t.client_id; }) == "freelancer_id");
    CHECK(FieldRefused([](ContractTerms& t) { t.title = " "; }) == "title");
    CHECK(FieldRefused([](ContractTerms& t) { t.title = std::string(201, 't'); }) == "title");
    CHECK(FieldRefused([](ContractTerms& t) { t.scope = std::string(20001, 's'); }) == "scope");
    CHECK(FieldRefused([](ContractTerms& t) { t.milestones.clear(); }) == "milestones");
    CHECK(FieldRefused([](ContractTerms& t) { t.milestones[1].title = ""; }) == "milestones[1].title");
    CHECK(FieldRefused([](ContractTerms& t) {
              t.milestones[1].amount = core::Money(0, t.total.currency());
              t.total = core::Money(120000, t.total.currency());
          }) == "milestones[1].amount");
    CHECK(FieldRefused([&](ContractTerms& t) { t.milestones[0].amount = core::Money(120000, usd); }) ==
          "milestones[0].amount.currency");
    CHECK(FieldRefused([](ContractTerms& t) { t.total = core::Money(300001, t.total.currency()); }) == "milestones");
    CHECK(FieldRefused([](ContractTerms& t) { t.milestones[0].amount = core::Money(INT64_MAX, t.total.currency()); }) ==
          "milestones[1].amount");
    CHECK(FieldRefused([](ContractTerms& t) { t.milestones[0].definition_of_done[1] = ""; }) ==
          "milestones[0].definition_of_done[1]");
    CHECK(FieldRefused([](ContractTerms& t) { t.delivery_days = -1; }) == "delivery_days");
}

TEST_CASE("Contract access: parties and admins read, strangers get NOT_FOUND, admins never act",
          "[contracts][access]") {
    const std::string client = "c", freelancer = "f";
    CHECK(ViewerOf("c", "client", client, freelancer) == Viewer::kClient);
    CHECK(ViewerOf("f", "freelancer", client, freelancer) == Viewer::kFreelancer);
    CHECK(ViewerOf("c", "admin", client, freelancer) == Viewer::kClient);  // a party is a party
    CHECK(ViewerOf("a", "admin", client, freelancer) == Viewer::kAdmin);
    CHECK(ViewerOf("x", "client", client, freelancer) == Viewer::kStranger);
    CHECK(ViewerOf("", "", "", "") == Viewer::kStranger);

    CHECK_NOTHROW(RequireCanRead(Viewer::kAdmin));
    CHECK_NOTHROW(RequireCanRead(Viewer::kFreelancer));
    CHECK_THROWS_AS(RequireCanRead(Viewer::kStranger), core::NotFound);
    CHECK(RequireActor(Viewer::kClient) == Actor::kClient);
    CHECK(RequireActor(Viewer::kFreelancer) == Actor::kFreelancer);
    CHECK_THROWS_AS(RequireActor(Viewer::kAdmin), core::PermissionDenied);
    CHECK_THROWS_AS(RequireActor(Viewer::kStranger), core::NotFound);
}

TEST_CASE("Contract status: awaiting signatures, then active until every milestone is settled", "[contracts][terms]") {
    using S = MilestoneState;
    CHECK(DeriveStatus(false, {S::kFundingRequired}) == ContractStatus::kAwaitingSignatures);
    CHECK(DeriveStatus(true, {S::kPaid, S::kSubmitted}) == ContractStatus::kActive);
    CHECK(DeriveStatus(true, {S::kPaid, S::kCancelPending}) == ContractStatus::kActive);
    CHECK(DeriveStatus(true, {S::kPaid, S::kCancelled}) == ContractStatus::kCompleted);
}

TEST_CASE("Reviews: ratings 1..5, text up to 5000 characters, only after payment", "[contracts][reviews]") {
    const auto field_of = [](ReviewInput input) -> std::string {
        try {
            ValidateReview(input);
        } catch (const core::InvalidArgument& e) {
            return e.field();
        }
        return "(accepted)";
    };
    CHECK(field_of({5, 4, 3, "great"}) == "(accepted)");
    CHECK(field_of({1, 1, 1, ""}) == "(accepted)");
    CHECK(field_of({0, 4, 3, ""}) == "quality");
    CHECK(field_of({5, 6, 3, ""}) == "communication");
    CHECK(field_of({5, 4, -1, ""}) == "timeliness");
    CHECK(field_of({5, 4, 3, std::string(5001, 'x')}) == "text");
    CHECK(field_of({5, 4, 3, std::string(5000, 'x')}) == "(accepted)");
    CHECK_NOTHROW(RequireReviewable(MilestoneState::kPaid));
    for (const auto state : kAllMilestoneStates) {
        if (state == MilestoneState::kPaid) continue;
        CAPTURE(StateName(state));
        CHECK_THROWS_AS(RequireReviewable(state), core::FailedPrecondition);
    }
}

TEST_CASE("Clan contracts: HEAD, CO_HEAD and ADMIN act for the clan, a MEMBER reads, anyone else as before",
          "[contracts][domain]") {
    CHECK(ClanViewerOf("c", "client", "c", "") == Viewer::kClient);
    CHECK(ClanViewerOf("h", "freelancer", "c", "head") == Viewer::kFreelancer);
    CHECK(ClanViewerOf("h", "freelancer", "c", "co_head") == Viewer::kFreelancer);
    CHECK(ClanViewerOf("h", "freelancer", "c", "admin") == Viewer::kFreelancer);
    CHECK(ClanViewerOf("m", "freelancer", "c", "member") == Viewer::kClanMember);
    CHECK(ClanViewerOf("x", "freelancer", "c", "") == Viewer::kStranger);
    CHECK(ClanViewerOf("a", "admin", "c", "") == Viewer::kAdmin);
    CHECK_NOTHROW(RequireCanRead(Viewer::kClanMember));
    CHECK_THROWS_AS(RequireActor(Viewer::kClanMember), core::PermissionDenied);
}

TEST_CASE("Clan release: the highest locked version is in force, and a plan paying someone gone is held",
          "[contracts][domain]") {
    CHECK_THROWS_AS(PlanInForce({}), core::FailedPrecondition);
    std::vector<ClanPlanVersion> versions(3);
    versions[0].version = 1;
    versions[1].version = 3;
    versions[2].version = 2;
    CHECK(PlanInForce(versions).version == 3);

    ClanPlanVersion plan;
    plan.version = 2;
    plan.leader_id = "lead";
    plan.shares = {{"lead", "Lead", 5000}, {"gone", "QA", 5000}};
    const auto roles = [](const std::string& user) { return user == "gone" ? std::string() : std::string("member"); };
    CHECK_THROWS_WITH(RequireEveryPayeeInClan(plan, roles),
                      Catch::Matchers::Contains("member gone, named in version 2"));
    plan.shares.pop_back();
    CHECK_NOTHROW(RequireEveryPayeeInClan(plan, roles));
    plan.leader_id = "gone";
    CHECK_THROWS_WITH(RequireEveryPayeeInClan(plan, roles), Catch::Matchers::Contains("the leader gone"));
}
