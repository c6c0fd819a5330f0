#include "api/example_api.hpp"

#include "marketplace/core/errors.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "storage/activity_store.hpp"

namespace marketplace::example::api {

grpc::Status ExampleApi::GetClientActivity(grpc::ServerContext* context, const v1::GetClientActivityRequest* request,
                                           v1::GetClientActivityResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        scope.RequireClaims();  // any signed-in caller
        if (request->client_id().empty()) throw core::InvalidArgument("client_id", "is required");
        const auto activity = db::InTransaction(
            runtime_.pool(), [&](pqxx::work& tx) { return storage::LoadActivity(tx, request->client_id()); });
        if (!activity) throw core::NotFound("this client has posted no job");
        auto* out = response->mutable_activity();
        out->set_client_id(activity->client_id);
        out->set_jobs_posted(activity->jobs_posted);
        out->set_last_job_id(activity->last_job_id);
        out->set_last_job_title(activity->last_job_title);
    });
}

}  // namespace marketplace::example::api
