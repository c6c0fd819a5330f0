// The milestone saga through the API and payments' events: fund, submit, accept, request changes,
// cancel, and who may do what.
#include <catch2/catch.hpp>

#include "contracts_fixture.hpp"
#include "marketplace/core/ids.hpp"

using namespace marketplace;
using namespace marketplace::contracts;
using namespace marketplace::contracts::testing;
using Stub = v1::ContractsService::Stub;

namespace {

const std::string kFundingRequested = "marketplace.contracts.v1.MilestoneFundingRequested";
const std::string kSubmitted = "marketplace.contracts.v1.MilestoneSubmitted";
const std::string kAccepted = "marketplace.contracts.v1.MilestoneAccepted";
const std::string kRejected = "marketplace.contracts.v1.MilestoneRejected";
const std::string kCancelled = "marketplace.contracts.v1.MilestoneCancelled";

}  // namespace

TEST_CASE("Milestones: no milestone can be funded before both parties signed", "[contracts][pg]") {
    const auto c = SeedContract();
    const auto unsigned_fund = Fund(c);
    CHECK(unsigned_fund.code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(unsigned_fund.status.error_message() ==
          "the statement of work must be signed by both parties before a milestone can be funded");

    // One signature is not enough either.
    v1::GetStatementOfWorkRequest get;
    get.set_contract_id(c.contract_id);
    v1::GetStatementOfWorkResponse sow;
    REQUIRE(Call(&Stub::GetStatementOfWork, c.client(), get, &sow).ok());
    v1::SignStatementOfWorkRequest sign;
    sign.set_contract_id(c.contract_id);
    sign.set_content_hash(sow.statement_of_work().content_hash());
    v1::SignStatementOfWorkResponse signed_sow;
    REQUIRE(Call(&Stub::SignStatementOfWork, c.client(), sign, &signed_sow, Key()).ok());
    CHECK(Fund(c).code() == grpc::StatusCode::FAILED_PRECONDITION);

    CHECK(Outbox(c.milestone_ids[0]).empty());
    CHECK(StateOf(c) == v1::MILESTONE_STATE_FUNDING_REQUIRED);
}

TEST_CASE("Milestones: funding publishes MilestoneFundingRequested once per idempotency key", "[contracts][pg]") {
    const auto c = SeedContract();
    SignBoth(c);
    const std::string key = Key();
    v1::FundMilestoneResponse first;
    REQUIRE(Fund(c, key, &first).ok());
    CHECK(first.milestone().state() == v1::MILESTONE_STATE_FUNDING_PENDING);
    CHECK(first.milestone().funding_attempt() == 1);

    v1::FundMilestoneResponse replay;
    REQUIRE(Fund(c, key, &replay).ok());
    CHECK(replay.SerializeAsString() == first.SerializeAsString());
    CHECK(CountOf(c.milestone_ids[0], kFundingRequested) == 1);

    const auto event = Last<v1::MilestoneFundingRequested>(c.milestone_ids[0]);
    CHECK(event.milestone_id() == c.milestone_ids[0]);
    CHECK(event.contract_id() == c.contract_id);
    CHECK(event.client_id() == c.client_id);
    CHECK(event.amount().minor_units() == 120000);
    CHECK(event.amount().currency() == "EUR");
    CHECK(event.attempt() == 1);

    // Another key while funding is pending is refused: no second request goes to payments.
    CHECK(Fund(c).code() == grpc::StatusCode::FAILED_PRECONDITION);
    // The same key for another request is a conflict.
    v1::FundMilestoneRequest other;
    other.set_milestone_id(c.milestone_ids[1]);
    v1::FundMilestoneResponse ignored;
    CHECK(Call(&Stub::FundMilestone, c.client(), other, &ignored, key).code() == grpc::StatusCode::ALREADY_EXISTS);
    CHECK(CountOf(c.milestone_ids[0], kFundingRequested) == 1);
}

TEST_CASE("Milestones: EscrowFunded makes the milestone funded, and a replay changes nothing", "[contracts][pg]") {
    const auto c = SeedContract();
    SignBoth(c);
    REQUIRE(Fund(c).ok());
    EscrowFunded(c.milestone_ids[0], 120000, 1);
    CHECK(StateOf(c) == v1::MILESTONE_STATE_FUNDED);
    EscrowFunded(c.milestone_ids[0], 120000, 1);
    CHECK(StateOf(c) == v1::MILESTONE_STATE_FUNDED);
    CHECK(Outbox(c.milestone_ids[0]).size() == 1);  // only the funding request
}

namespace {

// EscrowFunded for the contract's first milestone, handed to the consumers' router as if it came from `topic`.
void RouteEscrowFunded(const Seeded& c, const char* topic) {
    payments::v1::EscrowFunded e;
    e.set_milestone_id(c.milestone_ids[0]);
    e.mutable_amount()->set_minor_units(120000);
    e.mutable_amount()->set_currency("EUR");
    e.set_attempt(1);
    messaging::IncomingEvent in;
    in.id = core::NewUuidV7();
    in.source = "//marketplace/payments";
    in.type = "marketplace.payments.v1.EscrowFunded";
    in.key = c.milestone_ids[0];
    in.topic = topic;
    in.payload = e.SerializeAsString();
    const auto handler = F().events->Router().Handler();
    InTx([&](pqxx::work& tx) { handler(tx, in); });
}

}  // namespace

TEST_CASE("Milestones: the event router dispatches payments' events by type", "[contracts][pg]") {
    const auto c = SeedContract();
    SignBoth(c);
    REQUIRE(Fund(c).ok());
    RouteEscrowFunded(c, kPaymentsTopic);
    CHECK(StateOf(c) == v1::MILESTONE_STATE_FUNDED);
}

TEST_CASE("Milestones: an EscrowFunded that arrives on another service's topic is forged and changes nothing",
          "[contracts][pg][security]") {
    const auto c = SeedContract();
    SignBoth(c);
    REQUIRE(Fund(c).ok());
    RouteEscrowFunded(c, kJobsTopic);  // jobs' principal may write only jobs.events.v1
    CHECK(StateOf(c) == v1::MILESTONE_STATE_FUNDING_PENDING);
}

TEST_CASE("Milestones: EscrowFundingFailed returns to funding_required with the reason; a new attempt follows",
          "[contracts][pg]") {
    const auto c = SeedContract();
    SignBoth(c);
    REQUIRE(Fund(c).ok());
    EscrowFundingFailed(c.milestone_ids[0], "insufficient funds: available 10.00 EUR, needed 1200.00 EUR", 1);
    auto m = GetMilestone(c.milestone_ids[0], c.freelancer());
    CHECK(m.state() == v1::MILESTONE_STATE_FUNDING_REQUIRED);
    CHECK(m.funding_failure_reason() == "insufficient funds: available 10.00 EUR, needed 1200.00 EUR");

    v1::FundMilestoneResponse retry;
    REQUIRE(Fund(c, Key(), &retry).ok());
    CHECK(retry.milestone().funding_attempt() == 2);
    CHECK(retry.milestone().funding_failure_reason().empty());
    CHECK(Last<v1::MilestoneFundingRequested>(c.milestone_ids[0]).attempt() == 2);
    CHECK(CountOf(c.milestone_ids[0], kFundingRequested) == 2);

    // A late replay of the first attempt's failure changes nothing; the second attempt's success counts.
    EscrowFundingFailed(c.milestone_ids[0], "insufficient funds", 1);
    CHECK(StateOf(c) == v1::MILESTONE_STATE_FUNDING_PENDING);
    EscrowFunded(c.milestone_ids[0], 120000, 2);
    CHECK(StateOf(c) == v1::MILESTONE_STATE_FUNDED);
}

TEST_CASE("Milestones: submit, accept, MilestoneAccepted pays the freelancer, EscrowReleased marks it paid",
          "[contracts][pg]") {
    const auto c = FundedContract();
    const auto submitted_at = F().clock->Now();
    v1::SubmitMilestoneResponse submitted;
    REQUIRE(Submit(c, "Version 1.", &submitted).ok());
    CHECK(submitted.milestone().state() == v1::MILESTONE_STATE_SUBMITTED);
    CHECK(submitted.milestone().submission_note() == "Version 1.");
    CHECK(submitted.milestone().submission_links_size() == 1);
    const auto due = Micros(submitted_at + kReviewPeriod);
    CHECK(Micros(submitted.milestone().auto_release_at()) == due);
    CHECK(AutoReleaseDueMicros(c.milestone_ids[0]) == due);
    const auto announced = Last<v1::MilestoneSubmitted>(c.milestone_ids[0]);
    CHECK(announced.contract_id() == c.contract_id);
    CHECK(announced.auto_release_at() == core::FormatRfc3339(submitted_at + kReviewPeriod));

    v1::AcceptMilestoneResponse accepted;
    REQUIRE(Accept(c, &accepted).ok());
    CHECK(accepted.milestone().state() == v1::MILESTONE_STATE_ACCEPTED);
    CHECK_FALSE(accepted.already_accepted());
    CHECK(AutoReleaseDueMicros(c.milestone_ids[0]) == -1);  // the timer is gone
    const auto event = Last<v1::MilestoneAccepted>(c.milestone_ids[0]);
    CHECK(event.client_id() == c.client_id);
    CHECK(event.amount().minor_units() == 120000);
    REQUIRE(event.payees_size() == 1);
    CHECK(event.payees(0).user_id() == c.freelancer_id);
    CHECK(event.payees(0).share_bps() == 10000);
    CHECK_FALSE(event.auto_released());

    EscrowReleased(c.milestone_ids[0], 120000);
    const auto paid = GetMilestone(c.milestone_ids[0], c.freelancer());
    CHECK(paid.state() == v1::MILESTONE_STATE_PAID);
    CHECK(paid.has_paid_at());
    // Accepting a paid milestone again is answered with its state, and publishes nothing.
    v1::AcceptMilestoneResponse late;
    REQUIRE(Accept(c, &late).ok());
    CHECK(late.already_accepted());
    CHECK(late.milestone().state() == v1::MILESTONE_STATE_PAID);
    CHECK(CountOf(c.milestone_ids[0], kAccepted) == 1);
}

TEST_CASE("Milestones: changes requested, resubmitted, then accepted", "[contracts][pg]") {
    const auto c = SubmittedContract();
    REQUIRE(RequestChanges(c, "The login button does nothing.").ok());
    auto m = GetMilestone(c.milestone_ids[0], c.freelancer());
    CHECK(m.state() == v1::MILESTONE_STATE_CHANGES_REQUESTED);
    CHECK(m.change_request_feedback() == "The login button does nothing.");
    CHECK_FALSE(m.has_auto_release_at());
    CHECK(AutoReleaseDueMicros(c.milestone_ids[0]) == -1);
    CHECK(Last<v1::MilestoneRejected>(c.milestone_ids[0]).feedback() == "The login button does nothing.");
    // The client cannot accept what is being reworked.
    CHECK(Accept(c).code() == grpc::StatusCode::FAILED_PRECONDITION);

    F().clock->Advance(std::chrono::hours(2));
    const auto resubmitted_at = F().clock->Now();
    v1::SubmitMilestoneResponse again;
    REQUIRE(Submit(c, "Fixed the login.", &again).ok());
    CHECK(again.milestone().submission_count() == 2);
    CHECK(AutoReleaseDueMicros(c.milestone_ids[0]) == Micros(resubmitted_at + kReviewPeriod));
    CHECK(CountOf(c.milestone_ids[0], kSubmitted) == 2);

    REQUIRE(Accept(c).ok());
    CHECK(StateOf(c) == v1::MILESTONE_STATE_ACCEPTED);
    CHECK(CountOf(c.milestone_ids[0], kRejected) == 1);
    CHECK(CountOf(c.milestone_ids[0], kAccepted) == 1);
}

TEST_CASE("Milestones: cancelling a funded milestone refunds it; an unfunded one is cancelled at once",
          "[contracts][pg]") {
    const auto c = FundedContract();
    v1::CancelMilestoneResponse pending;
    REQUIRE(Cancel(c, c.milestone_ids[0], &pending).ok());
    CHECK(pending.milestone().state() == v1::MILESTONE_STATE_CANCEL_PENDING);
    const auto event = Last<v1::MilestoneCancelled>(c.milestone_ids[0]);
    CHECK(event.refund());
    CHECK(event.client_id() == c.client_id);
    CHECK(event.amount().minor_units() == 120000);
    // The freelancer can no longer submit.
    CHECK(Submit(c, "too late").code() == grpc::StatusCode::FAILED_PRECONDITION);

    EscrowRefunded(c.milestone_ids[0], 120000);
    auto m = GetMilestone(c.milestone_ids[0], c.client());
    CHECK(m.state() == v1::MILESTONE_STATE_CANCELLED);
    CHECK(m.refunded());
    EscrowRefunded(c.milestone_ids[0], 120000);  // a replay
    CHECK(StateOf(c) == v1::MILESTONE_STATE_CANCELLED);
    CHECK(CountOf(c.milestone_ids[0], kCancelled) == 1);

    v1::CancelMilestoneResponse unfunded;
    REQUIRE(Cancel(c, c.milestone_ids[1], &unfunded).ok());
    CHECK(unfunded.milestone().state() == v1::MILESTONE_STATE_CANCELLED);
    CHECK_FALSE(unfunded.milestone().refunded());
    CHECK_FALSE(Last<v1::MilestoneCancelled>(c.milestone_ids[1]).refund());

    v1::GetContractRequest get;
    get.set_contract_id(c.contract_id);
    v1::GetContractResponse contract;
    REQUIRE(Call(&Stub::GetContract, c.client(), get, &contract).ok());
    CHECK(contract.contract().status() == v1::CONTRACT_STATUS_COMPLETED);
}

TEST_CASE("Milestones: submitted work cannot be cancelled", "[contracts][pg]") {
    const auto c = SubmittedContract();
    const auto refused = Cancel(c, c.milestone_ids[0]);
    CHECK(refused.code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(refused.status.error_message().find("open a dispute") != std::string::npos);
    CHECK(CountOf(c.milestone_ids[0], kCancelled) == 0);
}

TEST_CASE("Milestones: only the client funds, accepts, requests changes and cancels; only the freelancer submits",
          "[contracts][pg]") {
    const auto c = FundedContract();
    const As admin{core::NewUuidV7(), "admin"};
    const As stranger{core::NewUuidV7(), "freelancer"};

    v1::SubmitMilestoneRequest submit;
    submit.set_milestone_id(c.milestone_ids[0]);
    submit.set_note("mine");
    v1::SubmitMilestoneResponse submitted;
    CHECK(Call(&Stub::SubmitMilestone, c.client(), submit, &submitted, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(Call(&Stub::SubmitMilestone, admin, submit, &submitted, Key()).code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(Call(&Stub::SubmitMilestone, stranger, submit, &submitted, Key()).code() == grpc::StatusCode::NOT_FOUND);
    REQUIRE(Call(&Stub::SubmitMilestone, c.freelancer(), submit, &submitted, Key()).ok());

    v1::AcceptMilestoneRequest accept;
    accept.set_milestone_id(c.milestone_ids[0]);
    v1::AcceptMilestoneResponse accepted;
    CHECK(Call(&Stub::AcceptMilestone, c.freelancer(), accept, &accepted, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(Call(&Stub::AcceptMilestone, stranger, accept, &accepted, Key()).code() == grpc::StatusCode::NOT_FOUND);
    v1::RequestChangesRequest changes;
    changes.set_milestone_id(c.milestone_ids[0]);
    changes.set_feedback("no");
    v1::RequestChangesResponse changed;
    CHECK(Call(&Stub::RequestChanges, c.freelancer(), changes, &changed, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    v1::CancelMilestoneRequest cancel;
    cancel.set_milestone_id(c.milestone_ids[1]);
    v1::CancelMilestoneResponse cancelled;
    CHECK(Call(&Stub::CancelMilestone, c.freelancer(), cancel, &cancelled, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    v1::FundMilestoneRequest fund;
    fund.set_milestone_id(c.milestone_ids[1]);
    v1::FundMilestoneResponse funded;
    CHECK(Call(&Stub::FundMilestone, c.freelancer(), fund, &funded, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(Call(&Stub::FundMilestone, admin, fund, &funded, Key()).code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(Call(&Stub::FundMilestone, As{}, fund, &funded, Key()).code() == grpc::StatusCode::UNAUTHENTICATED);

    CHECK(StateOf(c, 0) == v1::MILESTONE_STATE_SUBMITTED);
    CHECK(StateOf(c, 1) == v1::MILESTONE_STATE_FUNDING_REQUIRED);
    CHECK(CountOf(c.milestone_ids[0], kAccepted) == 0);
}

TEST_CASE("Milestones: bad input is INVALID_ARGUMENT naming the field and changes nothing", "[contracts][pg]") {
    const auto c = FundedContract();
    v1::SubmitMilestoneRequest submit;
    submit.set_milestone_id(c.milestone_ids[0]);
    v1::SubmitMilestoneResponse submitted;

    submit.set_note(std::string(5001, 'n'));
    auto out = Call(&Stub::SubmitMilestone, c.freelancer(), submit, &submitted, Key());
    CHECK(out.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(out.field == "note");
    submit.set_note("ok");
    submit.add_links("javascript:alert(1)");
    CHECK(Call(&Stub::SubmitMilestone, c.freelancer(), submit, &submitted, Key()).field == "links[0]");
    submit.clear_links();
    submit.set_milestone_id("42");
    CHECK(Call(&Stub::SubmitMilestone, c.freelancer(), submit, &submitted, Key()).field == "milestone_id");
    submit.set_milestone_id(c.milestone_ids[0]);
    out = Call(&Stub::SubmitMilestone, c.freelancer(), submit, &submitted);
    CHECK(out.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(out.field == "idempotency-key");
    submit.set_milestone_id(core::NewUuidV7());
    CHECK(Call(&Stub::SubmitMilestone, c.freelancer(), submit, &submitted, Key()).code() ==
          grpc::StatusCode::NOT_FOUND);

    CHECK(StateOf(c) == v1::MILESTONE_STATE_FUNDED);
    CHECK(CountOf(c.milestone_ids[0], kSubmitted) == 0);

    REQUIRE(Submit(c, "v1").ok());
    v1::RequestChangesRequest changes;
    changes.set_milestone_id(c.milestone_ids[0]);
    v1::RequestChangesResponse changed;
    CHECK(Call(&Stub::RequestChanges, c.client(), changes, &changed, Key()).field == "feedback");
    changes.set_feedback(std::string(5001, 'f'));
    CHECK(Call(&Stub::RequestChanges, c.client(), changes, &changed, Key()).field == "feedback");
    CHECK(StateOf(c) == v1::MILESTONE_STATE_SUBMITTED);
    CHECK(CountOf(c.milestone_ids[0], kRejected) == 0);
}

TEST_CASE("Milestones: admins read every state a milestone entered, in order; nobody else does", "[contracts][pg]") {
    const auto c = FundedContract();
    REQUIRE(Submit(c, "Version 1.").ok());
    const As admin{core::NewUuidV7(), "admin"};
    v1::ListMilestoneTransitionsRequest request;
    request.set_milestone_id(c.milestone_ids[0]);
    v1::ListMilestoneTransitionsResponse response;
    REQUIRE(Call(&Stub::ListMilestoneTransitions, admin, request, &response).ok());
    CHECK(response.milestone_id() == c.milestone_ids[0]);
    CHECK(response.contract_id() == c.contract_id);
    REQUIRE(response.transitions_size() == 4);
    const std::vector<std::pair<v1::MilestoneState, v1::MilestoneState>> expected{
        {v1::MILESTONE_STATE_UNSPECIFIED, v1::MILESTONE_STATE_FUNDING_REQUIRED},
        {v1::MILESTONE_STATE_FUNDING_REQUIRED, v1::MILESTONE_STATE_FUNDING_PENDING},
        {v1::MILESTONE_STATE_FUNDING_PENDING, v1::MILESTONE_STATE_FUNDED},
        {v1::MILESTONE_STATE_FUNDED, v1::MILESTONE_STATE_SUBMITTED}};
    for (int i = 0; i < response.transitions_size(); ++i) {
        const auto& t = response.transitions(i);
        CHECK(t.from_state() == expected[static_cast<std::size_t>(i)].first);
        CHECK(t.to_state() == expected[static_cast<std::size_t>(i)].second);
        CHECK(t.has_at());
        if (i > 0) CHECK(Micros(t.recorded_at()) >= Micros(response.transitions(i - 1).recorded_at()));
    }
    // The service's clock of the submit is the milestone's submitted_at.
    CHECK(Micros(response.transitions(3).at()) == Micros(GetMilestone(c.milestone_ids[0], c.client()).submitted_at()));

    // An unknown milestone is NOT_FOUND; a malformed id names the field.
    request.set_milestone_id(core::NewUuidV7());
    CHECK(Call(&Stub::ListMilestoneTransitions, admin, request, &response).code() == grpc::StatusCode::NOT_FOUND);
    request.set_milestone_id("not-a-uuid");
    CHECK(Call(&Stub::ListMilestoneTransitions, admin, request, &response).field == "milestone_id");

    // The parties and other staff are refused.
    request.set_milestone_id(c.milestone_ids[0]);
    for (const As& who : {c.client(), c.freelancer(), As{core::NewUuidV7(), "mediator"}}) {
        CHECK(Call(&Stub::ListMilestoneTransitions, who, request, &response).code() ==
              grpc::StatusCode::PERMISSION_DENIED);
    }
    CHECK(Call(&Stub::ListMilestoneTransitions, As{}, request, &response).code() == grpc::StatusCode::UNAUTHENTICATED);
}
