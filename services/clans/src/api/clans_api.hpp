#pragma once
// The ClansService gRPC handlers: decode, authorize, build a command, encode. Every mutating
// handler requires an idempotency key and stores its answer in the transaction of its effect.
#include <grpcpp/grpcpp.h>

#include "app/clan_flows.hpp"
#include "marketplace/clans/v1/clans.grpc.pb.h"
#include "marketplace/service/runtime.hpp"

namespace marketplace::clans::api {

class ClansApi final : public v1::ClansService::Service {
public:
    ClansApi(service::Runtime& runtime, ClanFlows& flows) : runtime_(runtime), flows_(flows) {}

    grpc::Status CreateClan(grpc::ServerContext* context, const v1::CreateClanRequest* request,
                            v1::CreateClanResponse* response) override;
    grpc::Status GetClan(grpc::ServerContext* context, const v1::GetClanRequest* request,
                         v1::GetClanResponse* response) override;
    grpc::Status ListMyClans(grpc::ServerContext* context, const v1::ListMyClansRequest* request,
                             v1::ListMyClansResponse* response) override;
    grpc::Status InviteMember(grpc::ServerContext* context, const v1::InviteMemberRequest* request,
                              v1::InviteMemberResponse* response) override;
    grpc::Status RespondToInvitation(grpc::ServerContext* context, const v1::RespondToInvitationRequest* request,
                                     v1::RespondToInvitationResponse* response) override;
    grpc::Status RequestToJoin(grpc::ServerContext* context, const v1::RequestToJoinRequest* request,
                               v1::RequestToJoinResponse* response) override;
    grpc::Status DecideJoinRequest(grpc::ServerContext* context, const v1::DecideJoinRequestRequest* request,
                                   v1::DecideJoinRequestResponse* response) override;
    grpc::Status LeaveClan(grpc::ServerContext* context, const v1::LeaveClanRequest* request,
                           v1::LeaveClanResponse* response) override;
    grpc::Status RemoveMember(grpc::ServerContext* context, const v1::RemoveMemberRequest* request,
                              v1::RemoveMemberResponse* response) override;
    grpc::Status SetMemberRole(grpc::ServerContext* context, const v1::SetMemberRoleRequest* request,
                               v1::SetMemberRoleResponse* response) override;
    grpc::Status TransferHeadship(grpc::ServerContext* context, const v1::TransferHeadshipRequest* request,
                                  v1::TransferHeadshipResponse* response) override;
    grpc::Status ListPayoutPlans(grpc::ServerContext* context, const v1::ListPayoutPlansRequest* request,
                                 v1::ListPayoutPlansResponse* response) override;
    grpc::Status ProposePlanVersion(grpc::ServerContext* context, const v1::ProposePlanVersionRequest* request,
                                    v1::ProposePlanVersionResponse* response) override;
    grpc::Status DecidePlanVersion(grpc::ServerContext* context, const v1::DecidePlanVersionRequest* request,
                                   v1::DecidePlanVersionResponse* response) override;
    grpc::Status ListPlanVersionProposals(grpc::ServerContext* context,
                                          const v1::ListPlanVersionProposalsRequest* request,
                                          v1::ListPlanVersionProposalsResponse* response) override;
    grpc::Status CreateWorkPackage(grpc::ServerContext* context, const v1::CreateWorkPackageRequest* request,
                                   v1::CreateWorkPackageResponse* response) override;
    grpc::Status ListWorkPackages(grpc::ServerContext* context, const v1::ListWorkPackagesRequest* request,
                                  v1::ListWorkPackagesResponse* response) override;
    grpc::Status CreateClanTask(grpc::ServerContext* context, const v1::CreateClanTaskRequest* request,
                                v1::CreateClanTaskResponse* response) override;
    grpc::Status UpdateClanTask(grpc::ServerContext* context, const v1::UpdateClanTaskRequest* request,
                                v1::UpdateClanTaskResponse* response) override;
    grpc::Status ArchiveClan(grpc::ServerContext* context, const v1::ArchiveClanRequest* request,
                             v1::ArchiveClanResponse* response) override;

private:
    template <typename Response, typename Request>
    grpc::Status Command(grpc::ServerContext* context, const Request& request, Response* response,
                         const clans::Command& command);

    service::Runtime& runtime_;
    ClanFlows& flows_;
};

}  // namespace marketplace::clans::api
