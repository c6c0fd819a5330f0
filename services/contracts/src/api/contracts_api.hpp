#pragma once
// The ContractsService gRPC handlers: decode, authorize, call the domain, encode. Every handler
// runs in rpc::Handle; every mutating one requires an idempotency key and stores its response in
// the transaction of its effect. Implemented in contracts_api.cpp (contracts and statements of
// work), milestones_api.cpp (the saga's commands), reviews_api.cpp and history_api.cpp (admins'
// reads of a milestone's recorded history).
#include <grpcpp/grpcpp.h>

#include "app/milestone_workflow.hpp"
#include "marketplace/contracts/v1/contracts.grpc.pb.h"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::contracts::api {

/// Page sizes of the listings.
inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;
/// 0 means the default; outside 0..100 is INVALID_ARGUMENT page_size.
int PageSize(int requested);

class ContractsApi final : public v1::ContractsService::Service {
public:
    ContractsApi(service::Runtime& runtime, std::chrono::seconds funding_timeout)
        : runtime_(runtime), workflow_(runtime, funding_timeout) {}

    grpc::Status GetContract(grpc::ServerContext* context, const v1::GetContractRequest* request,
                             v1::GetContractResponse* response) override;
    grpc::Status ListContracts(grpc::ServerContext* context, const v1::ListContractsRequest* request,
                               v1::ListContractsResponse* response) override;
    grpc::Status GetStatementOfWork(grpc::ServerContext* context, const v1::GetStatementOfWorkRequest* request,
                                    v1::GetStatementOfWorkResponse* response) override;
    grpc::Status SignStatementOfWork(grpc::ServerContext* context, const v1::SignStatementOfWorkRequest* request,
                                     v1::SignStatementOfWorkResponse* response) override;
    grpc::Status GetMilestone(grpc::ServerContext* context, const v1::GetMilestoneRequest* request,
                              v1::GetMilestoneResponse* response) override;
    grpc::Status FundMilestone(grpc::ServerContext* context, const v1::FundMilestoneRequest* request,
                               v1::FundMilestoneResponse* response) override;
    grpc::Status SubmitMilestone(grpc::ServerContext* context, const v1::SubmitMilestoneRequest* request,
                                 v1::SubmitMilestoneResponse* response) override;
    grpc::Status AcceptMilestone(grpc::ServerContext* context, const v1::AcceptMilestoneRequest* request,
                                 v1::AcceptMilestoneResponse* response) override;
    grpc::Status RequestChanges(grpc::ServerContext* context, const v1::RequestChangesRequest* request,
                                v1::RequestChangesResponse* response) override;
    grpc::Status CancelMilestone(grpc::ServerContext* context, const v1::CancelMilestoneRequest* request,
                                 v1::CancelMilestoneResponse* response) override;
    grpc::Status LeaveReview(grpc::ServerContext* context, const v1::LeaveReviewRequest* request,
                             v1::LeaveReviewResponse* response) override;
    grpc::Status ListReviews(grpc::ServerContext* context, const v1::ListReviewsRequest* request,
                             v1::ListReviewsResponse* response) override;
    grpc::Status ListClanPayouts(grpc::ServerContext* context, const v1::ListClanPayoutsRequest* request,
                                 v1::ListClanPayoutsResponse* response) override;
    grpc::Status ListMilestoneTransitions(grpc::ServerContext* context,
                                          const v1::ListMilestoneTransitionsRequest* request,
                                          v1::ListMilestoneTransitionsResponse* response) override;

private:
    /// Runs a milestone command for the caller, idempotently; `fill` writes the response.
    template <typename Response, typename Request, typename Fill>
    grpc::Status MilestoneCommand(grpc::ServerContext* context, const Request& request, Response* response,
                                  const Command& command, Fill&& fill);

    service::Runtime& runtime_;
    MilestoneWorkflow workflow_;
};

}  // namespace marketplace::contracts::api
