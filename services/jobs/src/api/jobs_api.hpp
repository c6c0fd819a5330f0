#pragma once
// The gRPC handlers of marketplace.jobs.v1.JobsService: decode, authorize, call the use case
// (app/job_workflow.hpp, app/proposal_workflow.hpp) or read, encode. Every handler runs in
// rpc::Handle; every mutating one stores its response under the call's idempotency key in the same
// transaction as its effect and its events.
#include <cstdint>

#include <pqxx/transaction>

#include <memory>

#include "app/clans_reader.hpp"
#include "app/job_workflow.hpp"
#include "app/proposal_workflow.hpp"
#include "domain/access.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/jobs/v1/jobs.grpc.pb.h"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::jobs {

class JobsApi final : public v1::JobsService::Service {
public:
    static constexpr char kServiceName[] = "marketplace.jobs.v1.JobsService";

    /// `clans` answers who is in a clan (clan applications); without it they are UNAVAILABLE.
    explicit JobsApi(service::Runtime& runtime, std::shared_ptr<ClansReader> clans = nullptr)
        : runtime_(runtime), jobs_(runtime), proposals_(runtime, std::move(clans)) {}

    grpc::Status ListTemplates(grpc::ServerContext* context, const v1::ListTemplatesRequest* request,
                               v1::ListTemplatesResponse* response) override;
    grpc::Status GetTemplate(grpc::ServerContext* context, const v1::GetTemplateRequest* request,
                             v1::GetTemplateResponse* response) override;

    grpc::Status PostJob(grpc::ServerContext* context, const v1::PostJobRequest* request,
                         v1::PostJobResponse* response) override;
    grpc::Status UpdateJob(grpc::ServerContext* context, const v1::UpdateJobRequest* request,
                           v1::UpdateJobResponse* response) override;
    grpc::Status CloseJob(grpc::ServerContext* context, const v1::CloseJobRequest* request,
                          v1::CloseJobResponse* response) override;
    grpc::Status GetJob(grpc::ServerContext* context, const v1::GetJobRequest* request,
                        v1::GetJobResponse* response) override;
    grpc::Status ListMyJobs(grpc::ServerContext* context, const v1::ListMyJobsRequest* request,
                            v1::ListMyJobsResponse* response) override;
    grpc::Status SearchJobs(grpc::ServerContext* context, const v1::SearchJobsRequest* request,
                            v1::SearchJobsResponse* response) override;

    grpc::Status SubmitProposal(grpc::ServerContext* context, const v1::SubmitProposalRequest* request,
                                v1::SubmitProposalResponse* response) override;
    grpc::Status AgreeToProposal(grpc::ServerContext* context, const v1::AgreeToProposalRequest* request,
                                 v1::AgreeToProposalResponse* response) override;
    grpc::Status WithdrawProposal(grpc::ServerContext* context, const v1::WithdrawProposalRequest* request,
                                  v1::WithdrawProposalResponse* response) override;
    grpc::Status GetProposal(grpc::ServerContext* context, const v1::GetProposalRequest* request,
                             v1::GetProposalResponse* response) override;
    grpc::Status ListJobProposals(grpc::ServerContext* context, const v1::ListJobProposalsRequest* request,
                                  v1::ListJobProposalsResponse* response) override;
    grpc::Status ListMyProposals(grpc::ServerContext* context, const v1::ListMyProposalsRequest* request,
                                 v1::ListMyProposalsResponse* response) override;
    grpc::Status AcceptProposal(grpc::ServerContext* context, const v1::AcceptProposalRequest* request,
                                v1::AcceptProposalResponse* response) override;

    grpc::Status InviteFreelancer(grpc::ServerContext* context, const v1::InviteFreelancerRequest* request,
                                  v1::InviteFreelancerResponse* response) override;
    grpc::Status ListJobInvites(grpc::ServerContext* context, const v1::ListJobInvitesRequest* request,
                                v1::ListJobInvitesResponse* response) override;
    grpc::Status ListMyInvites(grpc::ServerContext* context, const v1::ListMyInvitesRequest* request,
                               v1::ListMyInvitesResponse* response) override;

private:
    static Caller RequireCaller(const rpc::CallScope& call);

    /// Runs a read in its own transaction.
    template <typename Work>
    auto Read(Work&& work) {
        return db::InTransaction(runtime_.pool(), std::forward<Work>(work));
    }

    service::Runtime& runtime_;
    JobWorkflow jobs_;
    ProposalWorkflow proposals_;
};

}  // namespace marketplace::jobs
