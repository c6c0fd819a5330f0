#pragma once
// The DisputesService gRPC handlers: decode, authorize, build a command, encode. Every mutating
// handler requires an idempotency key and stores its answer in the transaction of its effect.
#include <grpcpp/grpcpp.h>

#include "app/dispute_flows.hpp"
#include "marketplace/disputes/v1/disputes.grpc.pb.h"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::disputes::api {

class DisputesApi final : public v1::DisputesService::Service {
public:
    DisputesApi(service::Runtime& runtime, DisputeFlows& flows) : runtime_(runtime), flows_(flows) {}

    grpc::Status OpenDispute(grpc::ServerContext* context, const v1::OpenDisputeRequest* request,
                             v1::OpenDisputeResponse* response) override;
    grpc::Status GetDispute(grpc::ServerContext* context, const v1::GetDisputeRequest* request,
                            v1::GetDisputeResponse* response) override;
    grpc::Status ListDisputes(grpc::ServerContext* context, const v1::ListDisputesRequest* request,
                              v1::ListDisputesResponse* response) override;
    grpc::Status RespondToDispute(grpc::ServerContext* context, const v1::RespondToDisputeRequest* request,
                                  v1::RespondToDisputeResponse* response) override;
    grpc::Status MakeOffer(grpc::ServerContext* context, const v1::MakeOfferRequest* request,
                           v1::MakeOfferResponse* response) override;
    grpc::Status AcceptOffer(grpc::ServerContext* context, const v1::AcceptOfferRequest* request,
                             v1::AcceptOfferResponse* response) override;
    grpc::Status ProposeSplit(grpc::ServerContext* context, const v1::ProposeSplitRequest* request,
                              v1::ProposeSplitResponse* response) override;
    grpc::Status AcceptSplitProposal(grpc::ServerContext* context, const v1::AcceptSplitProposalRequest* request,
                                     v1::AcceptSplitProposalResponse* response) override;
    grpc::Status RequestExpertReview(grpc::ServerContext* context, const v1::RequestExpertReviewRequest* request,
                                     v1::RequestExpertReviewResponse* response) override;
    grpc::Status SubmitRecommendation(grpc::ServerContext* context, const v1::SubmitRecommendationRequest* request,
                                      v1::SubmitRecommendationResponse* response) override;
    grpc::Status DecideDispute(grpc::ServerContext* context, const v1::DecideDisputeRequest* request,
                               v1::DecideDisputeResponse* response) override;
    grpc::Status WithdrawDispute(grpc::ServerContext* context, const v1::WithdrawDisputeRequest* request,
                                 v1::WithdrawDisputeResponse* response) override;
    grpc::Status AddEvidence(grpc::ServerContext* context, const v1::AddEvidenceRequest* request,
                             v1::AddEvidenceResponse* response) override;
    grpc::Status ListDisputeSteps(grpc::ServerContext* context, const v1::ListDisputeStepsRequest* request,
                                  v1::ListDisputeStepsResponse* response) override;

private:
    template <typename Response, typename Request>
    grpc::Status Command(grpc::ServerContext* context, const Request& request, Response* response,
                         const disputes::Command& command);
    /// The caller of a call on `dispute_id`, with the working party they act for when they are not a
    /// party themselves (a clan's HEAD, CO_HEAD or ADMIN), asked of contracts before any transaction.
    Caller CallerFor(rpc::CallScope& scope, const std::string& dispute_id);

    service::Runtime& runtime_;
    DisputeFlows& flows_;
};

}  // namespace marketplace::disputes::api
