// Accepting a proposal over a real gRPC channel: the others declined, the job started, one event.
#include <catch2/catch.hpp>

#include <google/protobuf/util/message_differencer.h>

#include <thread>

#include "proposal_helpers.hpp"

using namespace marketplace;
using namespace marketplace::jobs;
using namespace marketplace::jobs::testing;
using namespace std::chrono_literals;

TEST_CASE(
    "Proposals API: accepting one proposal declines the others, starts the job and publishes exactly one "
    "ProposalAccepted with the plan",
    "[jobs][pg]") {
    auto& h = JobsHarness::Get();
    const auto client = h.NewClient();
    const auto winner = h.NewFreelancer();
    const auto loser = h.NewFreelancer();
    const auto quitter = h.NewFreelancer();
    const auto job = OpenJob(client);
    const auto chosen = Submit(winner, Plan(job.job_id(), "Pick me."));
    const auto other = Submit(loser, Plan(job.job_id(), "No, me."));
    const auto gone = Submit(quitter, Plan(job.job_id(), "Maybe."));
    v1::WithdrawProposalRequest withdraw;
    withdraw.set_proposal_id(gone.proposal_id());
    v1::WithdrawProposalResponse withdrawn;
    REQUIRE(h.Call(&Stub::WithdrawProposal, quitter.token, withdraw, &withdrawn, Key()).ok());

    v1::AcceptProposalRequest accept;
    accept.set_proposal_id(chosen.proposal_id());
    v1::AcceptProposalResponse accepted;
    CHECK(h.Call(&Stub::AcceptProposal, h.NewClient().token, accept, &accepted, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(h.Call(&Stub::AcceptProposal, winner.token, accept, &accepted, Key()).code() ==
          grpc::StatusCode::PERMISSION_DENIED);
    CHECK(GetProposal(winner, chosen.proposal_id()).status() == v1::PROPOSAL_STATUS_SUBMITTED);

    const auto key = Key();
    REQUIRE(h.Call(&Stub::AcceptProposal, client.token, accept, &accepted, key).ok());
    CHECK(accepted.proposal().status() == v1::PROPOSAL_STATUS_ACCEPTED);
    CHECK(accepted.job().status() == v1::JOB_STATUS_IN_PROGRESS);
    CHECK(accepted.job().accepted_proposal_id() == chosen.proposal_id());
    CHECK(accepted.declined_proposals() == 1);
    CHECK(GetProposal(loser, other.proposal_id()).status() == v1::PROPOSAL_STATUS_DECLINED);
    CHECK(GetProposal(quitter, gone.proposal_id()).status() == v1::PROPOSAL_STATUS_WITHDRAWN);
    v1::GetJobRequest get;
    get.set_job_id(job.job_id());
    v1::GetJobResponse got;
    REQUIRE(h.Call(&Stub::GetJob, loser.token, get, &got).ok());  // a participant still sees the job
    CHECK(got.job().status() == v1::JOB_STATUS_IN_PROGRESS);

    // Exactly one ProposalAccepted, keyed by the job, carrying the scope and the plan.
    auto events = h.Outbox(job.job_id());
    REQUIRE(CountType(events, "marketplace.jobs.v1.ProposalAccepted") == 1);
    CHECK(CountType(events, "marketplace.jobs.v1.JobPosted") == 1);
    CHECK(CountType(events, "marketplace.jobs.v1.ProposalSubmitted") == 3);
    CHECK(events.back().type == "marketplace.jobs.v1.ProposalAccepted");
    v1::ProposalAccepted e;
    REQUIRE(e.ParseFromString(events.back().payload));
    CHECK(e.proposal_id() == chosen.proposal_id());
    CHECK(e.job_id() == job.job_id());
    CHECK(e.client_id() == client.id);
    CHECK(e.freelancer_id() == winner.id);
    CHECK(e.job_title() == "Payments integration");
    CHECK(e.job_description() == "Integrate a payment provider into our shop.");
    CHECK(std::vector<std::string>(e.stack().begin(), e.stack().end()) ==
          std::vector<std::string>{"Node.js", "Stripe"});
    CHECK(e.nda_required());
    CHECK(e.ip_assignment());
    CHECK(e.cover_letter() == "Pick me.");
    CHECK(e.total().minor_units() == 250'000);
    CHECK(e.total().currency() == "EUR");
    CHECK(e.delivery_days() == 30);
    REQUIRE(e.milestones_size() == 2);
    for (int i = 0; i < 2; ++i) {
        const auto& m = e.milestones(i);
        const auto& planned = chosen.milestones(i);
        INFO("milestone " << i);
        CHECK(m.title() == planned.title());
        CHECK(m.description() == planned.description());
        CHECK(m.amount().minor_units() == planned.amount().minor_units());
        CHECK(m.amount().currency() == "EUR");
        CHECK(m.due_date().seconds() == planned.due_date().seconds());
        CHECK(m.due_date().nanos() == planned.due_date().nanos());
        CHECK(std::vector<std::string>(m.definition_of_done().begin(), m.definition_of_done().end()) ==
              std::vector<std::string>(planned.definition_of_done().begin(), planned.definition_of_done().end()));
    }
    CHECK(e.milestones(0).amount().minor_units() + e.milestones(1).amount().minor_units() == e.total().minor_units());

    // The same key answers the same; another acceptance or a late proposal is refused; nothing more is published.
    v1::AcceptProposalResponse again;
    REQUIRE(h.Call(&Stub::AcceptProposal, client.token, accept, &again, key).ok());
    CHECK(google::protobuf::util::MessageDifferencer::Equals(again, accepted));
    CHECK(h.Call(&Stub::AcceptProposal, client.token, accept, &again, Key()).code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
    accept.set_proposal_id(other.proposal_id());
    CHECK(h.Call(&Stub::AcceptProposal, client.token, accept, &again, Key()).code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
    v1::SubmitProposalResponse late;
    CHECK(h.Call(&Stub::SubmitProposal, h.NewFreelancer().token, Plan(job.job_id()), &late, Key()).code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
    v1::CloseJobRequest close;
    close.set_job_id(job.job_id());
    v1::CloseJobResponse closed;
    CHECK(h.Call(&Stub::CloseJob, client.token, close, &closed, Key()).code() == grpc::StatusCode::FAILED_PRECONDITION);
    events = h.Outbox(job.job_id());
    CHECK(CountType(events, "marketplace.jobs.v1.ProposalAccepted") == 1);
    CHECK(h.Count("SELECT count(*) FROM proposals WHERE job_id = $1::uuid AND status = 'accepted'", job.job_id()) == 1);
}

TEST_CASE("Proposals API: two acceptances racing on one job accept exactly one proposal", "[jobs][pg]") {
    auto& h = JobsHarness::Get();
    const auto client = h.NewClient();
    const auto job = OpenJob(client);
    const auto a = Submit(h.NewFreelancer(), Plan(job.job_id()));
    const auto b = Submit(h.NewFreelancer(), Plan(job.job_id()));

    Reply replies[2];
    std::thread threads[2];
    const std::string ids[2] = {a.proposal_id(), b.proposal_id()};
    for (int i = 0; i < 2; ++i) {
        threads[i] = std::thread([&, i] {
            v1::AcceptProposalRequest accept;
            accept.set_proposal_id(ids[i]);
            v1::AcceptProposalResponse response;
            replies[i] = h.Call(&Stub::AcceptProposal, client.token, accept, &response, Key());
        });
    }
    for (auto& t : threads) t.join();
    const int wins = (replies[0].ok() ? 1 : 0) + (replies[1].ok() ? 1 : 0);
    CHECK(wins == 1);
    for (const auto& r : replies) {
        if (!r.ok()) CHECK(r.code() == grpc::StatusCode::FAILED_PRECONDITION);
    }
    CHECK(CountType(h.Outbox(job.job_id()), "marketplace.jobs.v1.ProposalAccepted") == 1);
    CHECK(h.Count("SELECT count(*) FROM proposals WHERE job_id = $1::uuid AND status = 'accepted'", job.job_id()) == 1);
    CHECK(h.Count("SELECT count(*) FROM proposals WHERE job_id = $1::uuid AND status = 'declined'", job.job_id()) == 1);
}
