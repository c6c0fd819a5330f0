#include "api/code_api.hpp"

#include "marketplace/rpc/call_scope.hpp"

namespace marketplace::workroom::api {

grpc::Status CodeApi::LinkRepository(grpc::ServerContext* context, const v1::LinkRepositoryRequest* request,
                                     v1::LinkRepositoryResponse* response) {
    return rpc::Handle(
        context, [&](rpc::CallScope& scope) { *response = actions_.Link(scope.RequireClaims().subject, *request); });
}

grpc::Status CodeApi::ListRepositories(grpc::ServerContext* context, const v1::ListRepositoriesRequest* request,
                                       v1::ListRepositoriesResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        response->Clear();
        for (auto& l : actions_.Links(scope.RequireClaims().subject, request->room_id())) {
            *response->add_links() = std::move(l);
        }
    });
}

grpc::Status CodeApi::UnlinkRepository(grpc::ServerContext* context, const v1::UnlinkRepositoryRequest* request,
                                       v1::UnlinkRepositoryResponse* /*response*/) {
    return rpc::Handle(context,
                       [&](rpc::CallScope& scope) { actions_.Unlink(scope.RequireClaims().subject, *request); });
}

grpc::Status CodeApi::ListPullRequests(grpc::ServerContext* context, const v1::ListPullRequestsRequest* request,
                                       v1::ListPullRequestsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        response->Clear();
        for (auto& pr : actions_.PullRequests(scope.RequireClaims().subject, *request)) {
            *response->add_pull_requests() = std::move(pr);
        }
    });
}

grpc::Status CodeApi::SetPullRequestMilestone(grpc::ServerContext* context,
                                              const v1::SetPullRequestMilestoneRequest* request,
                                              v1::SetPullRequestMilestoneResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        *response->mutable_pull_request() = actions_.SetMilestone(scope.RequireClaims().subject, *request);
    });
}

grpc::Status CodeApi::GetMilestoneCode(grpc::ServerContext* context, const v1::GetMilestoneCodeRequest* request,
                                       v1::GetMilestoneCodeResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        *response->mutable_milestone() =
            actions_.MilestoneCode(scope.RequireClaims().subject, request->room_id(), request->milestone_id());
    });
}

grpc::Status CodeApi::HandleGitHubDelivery(grpc::ServerContext* context, const v1::HandleGitHubDeliveryRequest* request,
                                           v1::HandleGitHubDeliveryResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope&) { response->set_outcome(actions_.HandleDelivery(*request)); });
}

}  // namespace marketplace::workroom::api
