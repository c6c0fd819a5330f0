// Admins' reads of a milestone's recorded history: every state it entered (milestone_transitions),
// for the saga timeline and support. Not routed by the gateway.
#include <pqxx/pqxx>

#include "api/contracts_api.hpp"
#include "api/convert.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "storage/contract_store.hpp"
#include "storage/transition_store.hpp"

namespace marketplace::contracts::api {

grpc::Status ContractsApi::ListMilestoneTransitions(grpc::ServerContext* context,
                                                    const v1::ListMilestoneTransitionsRequest* request,
                                                    v1::ListMilestoneTransitionsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        if (claims.role != "admin") throw core::PermissionDenied("only admins may read a milestone's transitions");
        core::RequireUuid(request->milestone_id(), "milestone_id");
        db::TxOptions options;
        options.isolation = db::Isolation::kRepeatableRead;
        db::InTransaction(
            runtime_.pool(),
            [&](pqxx::work& tx) {
                response->Clear();
                const auto milestone = storage::FindMilestone(tx, request->milestone_id());
                if (!milestone) throw core::NotFound("milestone not found");
                response->set_milestone_id(milestone->id);
                response->set_contract_id(milestone->contract_id);
                for (const auto& t : storage::TransitionsOf(tx, milestone->id)) {
                    auto* out = response->add_transitions();
                    if (t.from_state) out->set_from_state(ToProto(*t.from_state));
                    out->set_to_state(ToProto(t.to_state));
                    ToProto(t.at, out->mutable_at());
                    ToProto(t.recorded_at, out->mutable_recorded_at());
                }
            },
            options);
    });
}

}  // namespace marketplace::contracts::api
