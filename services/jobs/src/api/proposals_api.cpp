// JobsService: proposals and their acceptance.
#include "api/convert.hpp"
#include "api/jobs_api.hpp"
#include "domain/page_token.hpp"
#include "domain/proposal.hpp"
#include "events/job_events.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "storage/job_store.hpp"
#include "storage/proposal_store.hpp"
#include "storage/sql.hpp"

namespace marketplace::jobs {

grpc::Status JobsApi::SubmitProposal(grpc::ServerContext* context, const v1::SubmitProposalRequest* request,
                                     v1::SubmitProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        RequireRole(caller, kRoleFreelancer, "submit a proposal");
        core::RequireUuid(request->job_id(), "job_id");
        *response = Mutate<v1::SubmitProposalResponse>(call, *request, [&](pqxx::work& tx) {
            // A share lock: submissions run side by side, but not while the job is accepted or edited.
            const auto job = JobStore::Find(tx, request->job_id(), RowLock::kShare);
            if (!job) throw core::NotFound("job not found");
            RequireOpen(job->status, "take proposals");
            const auto now = runtime_.clock()->Now();
            auto plan = ValidateProposal(ProposalInputFrom(*request), job->spec.currency(), now);
            if (ProposalStore::HasLive(tx, job->job_id, caller.user_id)) {
                throw core::Conflict("you already have a live proposal on this job; withdraw it to submit another");
            }
            const auto micros = sql::ToMicros(now);
            const ProposalRecord proposal{core::NewUuidV7(),          job->job_id, caller.user_id, std::move(plan),
                                          ProposalStatus::kSubmitted, micros,      micros};
            ProposalStore::Insert(tx, proposal);
            runtime_.Publish(tx, job->job_id, MakeProposalSubmitted(proposal));
            v1::SubmitProposalResponse r;
            ToProto(proposal, r.mutable_proposal());
            return r;
        });
    });
}

grpc::Status JobsApi::WithdrawProposal(grpc::ServerContext* context, const v1::WithdrawProposalRequest* request,
                                       v1::WithdrawProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->proposal_id(), "proposal_id");
        *response = Mutate<v1::WithdrawProposalResponse>(call, *request, [&](pqxx::work& tx) {
            auto proposal = ProposalStore::Find(tx, request->proposal_id(), RowLock::kUpdate);
            if (!proposal) throw core::NotFound("proposal not found");
            RequireProposalAuthor(caller, proposal->freelancer_id, "withdraw it");
            RequireLiveProposal(proposal->status, "withdrawn");
            proposal->status = ProposalStatus::kWithdrawn;
            proposal->updated_micros = NowMicros();
            ProposalStore::SetStatus(tx, proposal->proposal_id, proposal->status, proposal->updated_micros);
            v1::WithdrawProposalResponse r;
            ToProto(*proposal, r.mutable_proposal());
            return r;
        });
    });
}

grpc::Status JobsApi::GetProposal(grpc::ServerContext* context, const v1::GetProposalRequest* request,
                                  v1::GetProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->proposal_id(), "proposal_id");
        Read([&](pqxx::work& tx) {
            const auto proposal = ProposalStore::Find(tx, request->proposal_id());
            if (!proposal) throw core::NotFound("proposal not found");
            const auto job = JobStore::Find(tx, proposal->job_id);
            if (!job || !SeesProposal(caller, proposal->freelancer_id, job->client_id)) {
                throw core::NotFound("proposal not found");
            }
            ToProto(*proposal, response->mutable_proposal());
        });
    });
}

grpc::Status JobsApi::ListJobProposals(grpc::ServerContext* context, const v1::ListJobProposalsRequest* request,
                                       v1::ListJobProposalsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->job_id(), "job_id");
        const auto status = ProposalStatusFilter(request->status(), "status");
        const auto page_size = ResolvePageSize(request->page_size());
        const auto fingerprint =
            Fingerprint({"job-proposals", request->job_id(), status ? std::string(ProposalStatusName(*status)) : "*"});
        const auto after = DecodePageToken(request->page_token(), fingerprint);
        const auto page = Read([&](pqxx::work& tx) {
            const auto job = JobStore::Find(tx, request->job_id());
            if (!job) throw core::NotFound("job not found");
            RequireJobOwnerOrAdmin(caller, job->client_id, "list its proposals");
            return ProposalStore::ListByJob(tx, job->job_id, status, page_size, after);
        });
        for (const auto& p : page.rows) ToProto(p, response->add_proposals());
        if (page.next) response->set_next_page_token(EncodePageToken(*page.next, fingerprint));
    });
}

grpc::Status JobsApi::ListMyProposals(grpc::ServerContext* context, const v1::ListMyProposalsRequest* request,
                                      v1::ListMyProposalsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        const auto status = ProposalStatusFilter(request->status(), "status");
        const auto page_size = ResolvePageSize(request->page_size());
        const auto fingerprint =
            Fingerprint({"my-proposals", caller.user_id, status ? std::string(ProposalStatusName(*status)) : "*"});
        const auto after = DecodePageToken(request->page_token(), fingerprint);
        const auto page = Read([&](pqxx::work& tx) {
            return ProposalStore::ListByFreelancer(tx, caller.user_id, status, page_size, after);
        });
        for (const auto& p : page.rows) ToProto(p, response->add_proposals());
        if (page.next) response->set_next_page_token(EncodePageToken(*page.next, fingerprint));
    });
}

grpc::Status JobsApi::AcceptProposal(grpc::ServerContext* context, const v1::AcceptProposalRequest* request,
                                     v1::AcceptProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->proposal_id(), "proposal_id");
        *response = Mutate<v1::AcceptProposalResponse>(call, *request, [&](pqxx::work& tx) {
            const auto found = ProposalStore::Find(tx, request->proposal_id());
            if (!found) throw core::NotFound("proposal not found");
            // Lock order: the job, then its proposals (as everywhere else).
            auto job = JobStore::Find(tx, found->job_id, RowLock::kUpdate);
            if (!job) throw core::NotFound("proposal not found");
            RequireJobOwner(caller, job->client_id, "accept a proposal");
            auto proposal = ProposalStore::Find(tx, request->proposal_id(), RowLock::kUpdate);
            RequireOpen(job->status, "have a proposal accepted");
            RequireLiveProposal(proposal->status, "accepted");

            const auto now = NowMicros();
            const int declined = ProposalStore::DeclineLive(tx, job->job_id, proposal->proposal_id, now);
            proposal->status = ProposalStatus::kAccepted;
            proposal->updated_micros = now;
            ProposalStore::SetStatus(tx, proposal->proposal_id, proposal->status, now);
            job->status = JobStatus::kInProgress;
            job->accepted_proposal_id = proposal->proposal_id;
            job->updated_micros = now;
            JobStore::SetStatus(tx, job->job_id, job->status, job->accepted_proposal_id, now);
            runtime_.Publish(tx, job->job_id, MakeProposalAccepted(*job, *proposal));

            v1::AcceptProposalResponse r;
            ToProto(*proposal, r.mutable_proposal());
            ToProto(*job, r.mutable_job());
            r.set_declined_proposals(declined);
            return r;
        });
    });
}

}  // namespace marketplace::jobs
