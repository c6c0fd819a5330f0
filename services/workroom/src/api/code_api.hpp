#pragma once
// The WorkroomCodeService gRPC handlers: decode, take the caller from the access token
// (HandleGitHubDelivery takes none: the delivery's signature is its credential), run the use case,
// encode.
#include <grpcpp/grpcpp.h>

#include "app/code_actions.hpp"
#include "marketplace/workroom/v1/workroom.grpc.pb.h"

namespace marketplace::workroom::api {

class CodeApi final : public v1::WorkroomCodeService::Service {
public:
    explicit CodeApi(const CodeActions& actions) : actions_(actions) {}

    grpc::Status LinkRepository(grpc::ServerContext* context, const v1::LinkRepositoryRequest* request,
                                v1::LinkRepositoryResponse* response) override;
    grpc::Status ListRepositories(grpc::ServerContext* context, const v1::ListRepositoriesRequest* request,
                                  v1::ListRepositoriesResponse* response) override;
    grpc::Status UnlinkRepository(grpc::ServerContext* context, const v1::UnlinkRepositoryRequest* request,
                                  v1::UnlinkRepositoryResponse* response) override;
    grpc::Status ListPullRequests(grpc::ServerContext* context, const v1::ListPullRequestsRequest* request,
                                  v1::ListPullRequestsResponse* response) override;
    grpc::Status SetPullRequestMilestone(grpc::ServerContext* context,
                                         const v1::SetPullRequestMilestoneRequest* request,
                                         v1::SetPullRequestMilestoneResponse* response) override;
    grpc::Status GetMilestoneCode(grpc::ServerContext* context, const v1::GetMilestoneCodeRequest* request,
                                  v1::GetMilestoneCodeResponse* response) override;
    grpc::Status HandleGitHubDelivery(grpc::ServerContext* context, const v1::HandleGitHubDeliveryRequest* request,
                                      v1::HandleGitHubDeliveryResponse* response) override;

private:
    const CodeActions& actions_;
};

}  // namespace marketplace::workroom::api
