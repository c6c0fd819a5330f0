#include <pqxx/pqxx>

#include "api/contracts_api.hpp"
#include "api/convert.hpp"
#include "app/party.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/mutate.hpp"

namespace marketplace::contracts::api {

template <typename Response, typename Request, typename Fill>
grpc::Status ContractsApi::MilestoneCommand(grpc::ServerContext* context, const Request& request, Response* response,
                                            const Command& command, Fill&& fill) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request.milestone_id(), "milestone_id");
        const Caller caller{claims.subject, claims.role};
        *response = service::Mutate<Response>(runtime_, idem, request, [&](pqxx::work& tx) {
            const auto result = workflow_.Run(tx, request.milestone_id(), command, caller);
            Response r;
            ToProto(result.context.milestone, r.mutable_milestone());
            fill(result, r);
            return r;
        });
    });
}

namespace {
constexpr auto kNothingMore = [](const CommandResult&, auto&) {};
}  // namespace

grpc::Status ContractsApi::GetMilestone(grpc::ServerContext* context, const v1::GetMilestoneRequest* request,
                                        v1::GetMilestoneResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        core::RequireUuid(request->milestone_id(), "milestone_id");
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            const auto ctx = storage::FindMilestoneContext(tx, request->milestone_id(), storage::Lock::kNone);
            if (!ctx) throw core::NotFound("milestone not found");
            RequireCanRead(PartyOf(tx, claims.subject, claims.role, ctx->client_id, ctx->freelancer_id, ctx->clan_id),
                           "milestone");
            ToProto(ctx->milestone, response->mutable_milestone());
        });
    });
}

grpc::Status ContractsApi::FundMilestone(grpc::ServerContext* context, const v1::FundMilestoneRequest* request,
                                         v1::FundMilestoneResponse* response) {
    // The workflow fills in whether both parties signed, read in the command's transaction.
    return MilestoneCommand(context, *request, response, command::Fund{}, kNothingMore);
}

grpc::Status ContractsApi::SubmitMilestone(grpc::ServerContext* context, const v1::SubmitMilestoneRequest* request,
                                           v1::SubmitMilestoneResponse* response) {
    const command::Submit submit{request->note(), {request->links().begin(), request->links().end()}};
    return MilestoneCommand(context, *request, response, submit, kNothingMore);
}

grpc::Status ContractsApi::AcceptMilestone(grpc::ServerContext* context, const v1::AcceptMilestoneRequest* request,
                                           v1::AcceptMilestoneResponse* response) {
    return MilestoneCommand(context, *request, response, command::Accept{},
                            [](const CommandResult& result, v1::AcceptMilestoneResponse& r) {
                                r.set_already_accepted(result.outcome == Outcome::kAlreadyDone);
                            });
}

grpc::Status ContractsApi::RequestChanges(grpc::ServerContext* context, const v1::RequestChangesRequest* request,
                                          v1::RequestChangesResponse* response) {
    return MilestoneCommand(context, *request, response, command::RequestChanges{request->feedback()}, kNothingMore);
}

grpc::Status ContractsApi::CancelMilestone(grpc::ServerContext* context, const v1::CancelMilestoneRequest* request,
                                           v1::CancelMilestoneResponse* response) {
    return MilestoneCommand(context, *request, response, command::Cancel{}, kNothingMore);
}

}  // namespace marketplace::contracts::api
