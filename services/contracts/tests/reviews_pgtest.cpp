// Reviews: each party reviews the other once per paid milestone.
#include <catch2/catch.hpp>

#include "contracts_fixture.hpp"
#include "marketplace/core/ids.hpp"

using namespace marketplace;
using namespace marketplace::contracts;
using namespace marketplace::contracts::testing;
using Stub = v1::ContractsService::Stub;

namespace {

v1::LeaveReviewRequest ReviewOf(const std::string& milestone_id, int quality, const std::string& text) {
    v1::LeaveReviewRequest r;
    r.set_milestone_id(milestone_id);
    r.set_quality(quality);
    r.set_communication(4);
    r.set_timeliness(5);
    r.set_text(text);
    return r;
}

Seeded PaidContract() {
    auto c = SubmittedContract();
    v1::AcceptMilestoneRequest accept;
    accept.set_milestone_id(c.milestone_ids[0]);
    v1::AcceptMilestoneResponse accepted;
    REQUIRE(Call(&Stub::AcceptMilestone, c.client(), accept, &accepted, Key()).ok());
    EscrowReleased(c.milestone_ids[0], 120000);
    REQUIRE(GetMilestone(c.milestone_ids[0], c.client()).state() == v1::MILESTONE_STATE_PAID);
    return c;
}

}  // namespace

TEST_CASE("Reviews: none before the milestone is paid", "[contracts][pg]") {
    const auto c = SubmittedContract();
    v1::LeaveReviewResponse response;
    const auto early = Call(&Stub::LeaveReview, c.client(), ReviewOf(c.milestone_ids[0], 5, "great"), &response, Key());
    CHECK(early.code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(early.status.error_message().find("only after it is paid") != std::string::npos);
}

TEST_CASE("Reviews: each party reviews the other once per paid milestone", "[contracts][pg]") {
    const auto c = PaidContract();
    v1::LeaveReviewResponse by_client;
    REQUIRE(
        Call(&Stub::LeaveReview, c.client(), ReviewOf(c.milestone_ids[0], 5, "Great work."), &by_client, Key()).ok());
    CHECK(by_client.review().reviewer_id() == c.client_id);
    CHECK(by_client.review().reviewee_id() == c.freelancer_id);
    CHECK(by_client.review().reviewer_role() == v1::PARTY_ROLE_CLIENT);
    CHECK(by_client.review().contract_id() == c.contract_id);
    CHECK(by_client.review().quality() == 5);

    v1::LeaveReviewResponse twice;
    const auto second =
        Call(&Stub::LeaveReview, c.client(), ReviewOf(c.milestone_ids[0], 1, "Changed my mind."), &twice, Key());
    CHECK(second.code() == grpc::StatusCode::ALREADY_EXISTS);

    v1::LeaveReviewResponse by_freelancer;
    REQUIRE(
        Call(&Stub::LeaveReview, c.freelancer(), ReviewOf(c.milestone_ids[0], 4, "Clear brief."), &by_freelancer, Key())
            .ok());
    CHECK(by_freelancer.review().reviewee_id() == c.client_id);

    // Strangers and admins cannot review; the unpaid second milestone cannot be reviewed.
    v1::LeaveReviewResponse ignored;
    CHECK(
        Call(&Stub::LeaveReview, As{core::NewUuidV7(), "client"}, ReviewOf(c.milestone_ids[0], 3, ""), &ignored, Key())
            .code() == grpc::StatusCode::NOT_FOUND);
    CHECK(Call(&Stub::LeaveReview, As{core::NewUuidV7(), "admin"}, ReviewOf(c.milestone_ids[0], 3, ""), &ignored, Key())
              .code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(Call(&Stub::LeaveReview, c.client(), ReviewOf(c.milestone_ids[1], 3, ""), &ignored, Key()).code() ==
          grpc::StatusCode::FAILED_PRECONDITION);

    v1::ListReviewsRequest by_contract;
    by_contract.set_contract_id(c.contract_id);
    v1::ListReviewsResponse listed;
    REQUIRE(Call(&Stub::ListReviews, c.freelancer(), by_contract, &listed).ok());
    CHECK(listed.reviews_size() == 2);
    CHECK(Call(&Stub::ListReviews, As{core::NewUuidV7(), "client"}, by_contract, &listed).code() ==
          grpc::StatusCode::NOT_FOUND);

    v1::ListReviewsRequest about;
    about.set_reviewee_id(c.freelancer_id);
    v1::ListReviewsResponse received;
    REQUIRE(Call(&Stub::ListReviews, As{core::NewUuidV7(), "client"}, about, &received).ok());
    REQUIRE(received.reviews_size() == 1);
    CHECK(received.reviews(0).text() == "Great work.");
}

TEST_CASE("Reviews: ratings 1..5 and text up to 5000 characters, else INVALID_ARGUMENT", "[contracts][pg]") {
    const auto c = PaidContract();
    v1::LeaveReviewResponse response;
    auto out = Call(&Stub::LeaveReview, c.client(), ReviewOf(c.milestone_ids[0], 6, ""), &response, Key());
    CHECK(out.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(out.field == "quality");
    auto zero_timeliness = ReviewOf(c.milestone_ids[0], 5, "");
    zero_timeliness.set_timeliness(0);
    CHECK(Call(&Stub::LeaveReview, c.client(), zero_timeliness, &response, Key()).field == "timeliness");
    CHECK(
        Call(&Stub::LeaveReview, c.client(), ReviewOf(c.milestone_ids[0], 5, std::string(5001, 't')), &response, Key())
            .field == "text");

    v1::ListReviewsRequest list;
    list.set_contract_id(c.contract_id);
    v1::ListReviewsResponse listed;
    REQUIRE(Call(&Stub::ListReviews, c.client(), list, &listed).ok());
    CHECK(listed.reviews_size() == 0);
    list.set_reviewee_id(c.client_id);
    CHECK(Call(&Stub::ListReviews, c.client(), list, &listed).code() == grpc::StatusCode::INVALID_ARGUMENT);
}
