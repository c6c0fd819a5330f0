// Proposals and invites over a real gRPC channel, with the outbox checked.
#include <catch2/catch.hpp>

#include <limits>

#include "proposal_helpers.hpp"

using namespace marketplace;
using namespace marketplace::jobs;
using namespace marketplace::jobs::testing;
using namespace std::chrono_literals;

TEST_CASE("Proposals API: a freelancer submits a plan, the client sees it, and one live proposal per job is enforced",
          "[jobs][pg]") {
    auto& h = JobsHarness::Get();
    const auto client = h.NewClient();
    const auto freelancer = h.NewFreelancer();
    const auto job = OpenJob(client);

    const auto request = Plan(job.job_id());
    const auto proposal = Submit(freelancer, request);
    CHECK(proposal.status() == v1::PROPOSAL_STATUS_SUBMITTED);
    CHECK(proposal.freelancer_id() == freelancer.id);
    CHECK(proposal.total().minor_units() == 250'000);
    REQUIRE(proposal.milestones_size() == 2);
    CHECK(proposal.milestones(1).definition_of_done_size() == 2);
    CHECK(proposal.milestones(0).due_date().seconds() == request.milestones(0).due_date().seconds());
    CHECK(proposal.milestones(0).due_date().nanos() == request.milestones(0).due_date().nanos());

    const auto events = h.Outbox(job.job_id());
    REQUIRE(CountType(events, "marketplace.jobs.v1.ProposalSubmitted") == 1);
    v1::ProposalSubmitted submitted;
    REQUIRE(submitted.ParseFromString(events.back().payload));
    CHECK(submitted.proposal_id() == proposal.proposal_id());
    CHECK(submitted.freelancer_id() == freelancer.id);
    CHECK(submitted.total().minor_units() == 250'000);
    CHECK(submitted.total().currency() == "EUR");

    v1::SubmitProposalResponse ignored;
    CHECK(h.Call(&Stub::SubmitProposal, freelancer.token, Plan(job.job_id()), &ignored, Key()).code() ==
          grpc::StatusCode::ALREADY_EXISTS);
    CHECK(h.Call(&Stub::SubmitProposal, h.NewClient().token, Plan(job.job_id()), &ignored, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    auto unknown_job = Plan("0190a5b2-7c1e-7d3a-8f00-0123456789ab");
    CHECK(h.Call(&Stub::SubmitProposal, freelancer.token, unknown_job, &ignored, Key()).code() ==
          grpc::StatusCode::NOT_FOUND);

    v1::ListJobProposalsRequest list;
    list.set_job_id(job.job_id());
    v1::ListJobProposalsResponse listed;
    REQUIRE(h.Call(&Stub::ListJobProposals, client.token, list, &listed).ok());
    REQUIRE(listed.proposals_size() == 1);
    CHECK(listed.proposals(0).SerializeAsString() == proposal.SerializeAsString());
    CHECK(h.Call(&Stub::ListJobProposals, h.NewClient().token, list, &listed).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(h.Call(&Stub::ListJobProposals, freelancer.token, list, &listed).code() ==
          grpc::StatusCode::PERMISSION_DENIED);

    v1::ListMyProposalsResponse mine;
    REQUIRE(h.Call(&Stub::ListMyProposals, freelancer.token, v1::ListMyProposalsRequest{}, &mine).ok());
    REQUIRE(mine.proposals_size() == 1);
    CHECK(mine.proposals(0).proposal_id() == proposal.proposal_id());

    v1::GetProposalRequest get;
    get.set_proposal_id(proposal.proposal_id());
    v1::GetProposalResponse got;
    CHECK(h.Call(&Stub::GetProposal, h.NewFreelancer().token, get, &got).code() == grpc::StatusCode::NOT_FOUND);
    CHECK(GetProposal(client, proposal.proposal_id()).proposal_id() == proposal.proposal_id());
}

TEST_CASE("Proposals API: a bad plan is INVALID_ARGUMENT naming the field, and nothing is stored", "[jobs][pg]") {
    auto& h = JobsHarness::Get();
    const auto client = h.NewClient();
    const auto freelancer = h.NewFreelancer();
    const auto job = OpenJob(client);
    auto expect_field = [&](const v1::SubmitProposalRequest& request, const std::string& field) {
        v1::SubmitProposalResponse response;
        const auto reply = h.Call(&Stub::SubmitProposal, freelancer.token, request, &response, Key());
        INFO(field << ": " << reply.status.error_message());
        CHECK(reply.code() == grpc::StatusCode::INVALID_ARGUMENT);
        CHECK(reply.field() == field);
    };

    auto zero = Plan(job.job_id());
    zero.mutable_milestones(1)->mutable_amount()->set_minor_units(0);
    expect_field(zero, "milestones[1].amount");
    auto negative = Plan(job.job_id());
    negative.mutable_milestones(1)->mutable_amount()->set_minor_units(-150'000);
    negative.mutable_total()->set_minor_units(-50'000);
    expect_field(negative, "milestones[1].amount");
    auto other_currency = Plan(job.job_id());
    other_currency.mutable_milestones(1)->mutable_amount()->set_currency("USD");
    expect_field(other_currency, "milestones[1].amount");
    auto unknown_currency = Plan(job.job_id());
    unknown_currency.mutable_milestones(0)->mutable_amount()->set_currency("ABC");
    expect_field(unknown_currency, "milestones[0].amount.currency");
    auto wrong_sum = Plan(job.job_id());
    wrong_sum.mutable_total()->set_minor_units(260'000);
    expect_field(wrong_sum, "total");
    auto overflow = Plan(job.job_id());
    overflow.mutable_milestones(0)->mutable_amount()->set_minor_units(std::numeric_limits<std::int64_t>::max());
    overflow.mutable_milestones(1)->mutable_amount()->set_minor_units(std::numeric_limits<std::int64_t>::max());
    expect_field(overflow, "milestones[1].amount");
    auto past = Plan(job.job_id());
    SetDue(past.mutable_milestones(0)->mutable_due_date(), h.clock().Now() - 1h);
    expect_field(past, "milestones[0].due_date");
    auto too_late = Plan(job.job_id());
    too_late.set_delivery_days(20);
    expect_field(too_late, "milestones[1].due_date");
    auto empty = Plan(job.job_id());
    empty.clear_milestones();
    expect_field(empty, "milestones");
    auto no_done = Plan(job.job_id());
    no_done.mutable_milestones(0)->clear_definition_of_done();
    expect_field(no_done, "milestones[0].definition_of_done");
    auto long_letter = Plan(job.job_id(), std::string(10'001, 'x'));
    expect_field(long_letter, "cover_letter");
    auto no_days = Plan(job.job_id());
    no_days.set_delivery_days(0);
    expect_field(no_days, "delivery_days");
    expect_field(Plan("not-a-uuid"), "job_id");

    CHECK(h.Count("SELECT count(*) FROM proposals WHERE freelancer_id = $1", freelancer.id) == 0);
    CHECK(CountType(h.Outbox(job.job_id()), "marketplace.jobs.v1.ProposalSubmitted") == 0);

    // Proposals on a USD job must be priced in USD.
    const auto usd_job = OpenJob(client, "USD");
    auto euros = Plan(usd_job.job_id());
    v1::SubmitProposalResponse response;
    const auto reply = h.Call(&Stub::SubmitProposal, freelancer.token, euros, &response, Key());
    CHECK(reply.field() == "milestones[0].amount");
    CHECK_THAT(reply.status.error_message(), Catch::Contains("must be in USD, the job's currency"));
}

TEST_CASE("Proposals API: only its author withdraws a proposal, once, and may then submit a new one", "[jobs][pg]") {
    auto& h = JobsHarness::Get();
    const auto client = h.NewClient();
    const auto freelancer = h.NewFreelancer();
    const auto job = OpenJob(client);
    const auto proposal = Submit(freelancer, Plan(job.job_id()));

    v1::WithdrawProposalRequest withdraw;
    withdraw.set_proposal_id(proposal.proposal_id());
    v1::WithdrawProposalResponse withdrawn;
    CHECK(h.Call(&Stub::WithdrawProposal, h.NewFreelancer().token, withdraw, &withdrawn, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(h.Call(&Stub::WithdrawProposal, client.token, withdraw, &withdrawn, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    const auto key = Key();
    REQUIRE(h.Call(&Stub::WithdrawProposal, freelancer.token, withdraw, &withdrawn, key).ok());
    CHECK(withdrawn.proposal().status() == v1::PROPOSAL_STATUS_WITHDRAWN);
    v1::WithdrawProposalResponse replayed;
    REQUIRE(h.Call(&Stub::WithdrawProposal, freelancer.token, withdraw, &replayed, key).ok());
    CHECK(replayed.SerializeAsString() == withdrawn.SerializeAsString());
    CHECK(h.Call(&Stub::WithdrawProposal, freelancer.token, withdraw, &withdrawn, Key()).code() ==
          grpc::StatusCode::FAILED_PRECONDITION);

    const auto second = Submit(freelancer, Plan(job.job_id(), "Second try."));
    CHECK(second.proposal_id() != proposal.proposal_id());
    v1::ListMyProposalsRequest live;
    live.set_status(v1::PROPOSAL_STATUS_SUBMITTED);
    v1::ListMyProposalsResponse mine;
    REQUIRE(h.Call(&Stub::ListMyProposals, freelancer.token, live, &mine).ok());
    REQUIRE(mine.proposals_size() == 1);
    CHECK(mine.proposals(0).proposal_id() == second.proposal_id());
}

TEST_CASE("Proposals API: the client invites a freelancer, who sees the invite and the job", "[jobs][pg]") {
    auto& h = JobsHarness::Get();
    const auto client = h.NewClient();
    const auto freelancer = h.NewFreelancer();
    const auto job = OpenJob(client);

    v1::InviteFreelancerRequest invite;
    invite.set_job_id(job.job_id());
    invite.set_freelancer_id(freelancer.id);
    invite.set_message("Your portfolio fits this job.");
    v1::InviteFreelancerResponse sent;
    CHECK(h.Call(&Stub::InviteFreelancer, h.NewClient().token, invite, &sent, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    REQUIRE(h.Call(&Stub::InviteFreelancer, client.token, invite, &sent, Key()).ok());
    CHECK(sent.invite().job_title() == job.title());
    CHECK(sent.invite().freelancer_id() == freelancer.id);
    CHECK(h.Call(&Stub::InviteFreelancer, client.token, invite, &sent, Key()).code() ==
          grpc::StatusCode::ALREADY_EXISTS);
    auto bad = invite;
    bad.set_freelancer_id("someone");
    auto reply = h.Call(&Stub::InviteFreelancer, client.token, bad, &sent, Key());
    CHECK(reply.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(reply.field() == "freelancer_id");
    bad = invite;
    bad.set_freelancer_id(h.NewFreelancer().id);
    bad.set_message(std::string(5'001, 'x'));
    reply = h.Call(&Stub::InviteFreelancer, client.token, bad, &sent, Key());
    CHECK(reply.field() == "message");

    v1::ListMyInvitesResponse mine;
    REQUIRE(h.Call(&Stub::ListMyInvites, freelancer.token, v1::ListMyInvitesRequest{}, &mine).ok());
    REQUIRE(mine.invites_size() == 1);
    CHECK(mine.invites(0).job_id() == job.job_id());
    CHECK(mine.invites(0).message() == "Your portfolio fits this job.");
    REQUIRE(h.Call(&Stub::ListMyInvites, h.NewFreelancer().token, v1::ListMyInvitesRequest{}, &mine).ok());
    CHECK(mine.invites_size() == 0);

    v1::ListJobInvitesRequest of_job;
    of_job.set_job_id(job.job_id());
    v1::ListJobInvitesResponse listed;
    REQUIRE(h.Call(&Stub::ListJobInvites, client.token, of_job, &listed).ok());
    CHECK(listed.invites_size() == 1);
    CHECK(h.Call(&Stub::ListJobInvites, freelancer.token, of_job, &listed).code() ==
          grpc::StatusCode::PERMISSION_DENIED);

    // After the job closes, the invited freelancer still sees it; a stranger does not.
    v1::CloseJobRequest close;
    close.set_job_id(job.job_id());
    v1::CloseJobResponse closed;
    REQUIRE(h.Call(&Stub::CloseJob, client.token, close, &closed, Key()).ok());
    v1::GetJobRequest get;
    get.set_job_id(job.job_id());
    v1::GetJobResponse got;
    CHECK(h.Call(&Stub::GetJob, freelancer.token, get, &got).ok());
    CHECK(h.Call(&Stub::GetJob, h.NewFreelancer().token, get, &got).code() == grpc::StatusCode::NOT_FOUND);
    invite.set_freelancer_id(h.NewFreelancer().id);
    CHECK(h.Call(&Stub::InviteFreelancer, client.token, invite, &sent, Key()).code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_CASE("Proposals API: live proposals keep the job's currency, and closing the job declines them", "[jobs][pg]") {
    auto& h = JobsHarness::Get();
    const auto client = h.NewClient();
    const auto stays = h.NewFreelancer();
    const auto leaves = h.NewFreelancer();
    const auto job = OpenJob(client);
    const auto live = Submit(stays, Plan(job.job_id()));
    const auto gone = Submit(leaves, Plan(job.job_id()));
    v1::WithdrawProposalRequest withdraw;
    withdraw.set_proposal_id(gone.proposal_id());
    v1::WithdrawProposalResponse withdrawn;
    REQUIRE(h.Call(&Stub::WithdrawProposal, leaves.token, withdraw, &withdrawn, Key()).ok());

    v1::UpdateJobRequest to_usd;
    to_usd.set_job_id(job.job_id());
    to_usd.mutable_job()->mutable_budget_min()->set_minor_units(100'000);
    to_usd.mutable_job()->mutable_budget_min()->set_currency("USD");
    to_usd.mutable_job()->mutable_budget_max()->set_minor_units(500'000);
    to_usd.mutable_job()->mutable_budget_max()->set_currency("USD");
    to_usd.mutable_update_mask()->add_paths("budget_min");
    to_usd.mutable_update_mask()->add_paths("budget_max");
    v1::UpdateJobResponse updated;
    CHECK(h.Call(&Stub::UpdateJob, client.token, to_usd, &updated, Key()).code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
    auto raise = to_usd;
    raise.mutable_job()->mutable_budget_min()->set_currency("EUR");
    raise.mutable_job()->mutable_budget_max()->set_currency("EUR");
    raise.mutable_job()->mutable_budget_max()->set_minor_units(600'000);
    REQUIRE(h.Call(&Stub::UpdateJob, client.token, raise, &updated, Key()).ok());
    CHECK(updated.job().budget_max().minor_units() == 600'000);

    v1::CloseJobRequest close;
    close.set_job_id(job.job_id());
    v1::CloseJobResponse closed;
    REQUIRE(h.Call(&Stub::CloseJob, client.token, close, &closed, Key()).ok());
    CHECK(closed.declined_proposals() == 1);
    CHECK(GetProposal(stays, live.proposal_id()).status() == v1::PROPOSAL_STATUS_DECLINED);
    CHECK(GetProposal(leaves, gone.proposal_id()).status() == v1::PROPOSAL_STATUS_WITHDRAWN);
    CHECK(CountType(h.Outbox(job.job_id()), "marketplace.jobs.v1.ProposalAccepted") == 0);
}
