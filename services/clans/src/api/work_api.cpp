// The work packages' and tasks' handlers of ClansService.
#include <pqxx/pqxx>

#include "api/clans_api.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/mutate.hpp"
#include "marketplace/wire/values.hpp"

namespace marketplace::clans::api {
namespace {

constexpr int kMaxListed = 100;

v1::TaskStatus StatusOf(TaskStatus s) {
    switch (s) {
        case TaskStatus::kTodo:
            return v1::TASK_STATUS_TODO;
        case TaskStatus::kInProgress:
            return v1::TASK_STATUS_IN_PROGRESS;
        case TaskStatus::kReview:
            return v1::TASK_STATUS_REVIEW;
        case TaskStatus::kDone:
            return v1::TASK_STATUS_DONE;
    }
    return v1::TASK_STATUS_UNSPECIFIED;
}

std::optional<TaskStatus> StatusFrom(v1::TaskStatus s) {
    switch (s) {
        case v1::TASK_STATUS_TODO:
            return TaskStatus::kTodo;
        case v1::TASK_STATUS_IN_PROGRESS:
            return TaskStatus::kInProgress;
        case v1::TASK_STATUS_REVIEW:
            return TaskStatus::kReview;
        case v1::TASK_STATUS_DONE:
            return TaskStatus::kDone;
        default:
            return std::nullopt;
    }
}

void TaskToProto(const ClanTask& t, v1::ClanTask* out) {
    out->set_task_id(t.id);
    out->set_package_id(t.package_id);
    out->set_title(t.title);
    out->set_description(t.description);
    out->set_assignee_id(t.assignee_id);
    out->set_status(StatusOf(t.status));
    out->set_estimate_hours(t.estimate_hours);
    out->set_logged_hours(t.logged_hours);
    out->set_version(t.version);
    out->set_created_by(t.created_by);
    wire::ToProto(t.created_at, out->mutable_created_at());
    wire::ToProto(t.updated_at, out->mutable_updated_at());
}

void PackageToProto(const WorkPackage& p, const std::vector<ClanTask>& tasks, v1::WorkPackage* out) {
    out->set_package_id(p.id);
    out->set_contract_id(p.contract_id);
    out->set_milestone_id(p.milestone_id);
    out->set_title(p.title);
    out->set_description(p.description);
    out->set_created_by(p.created_by);
    wire::ToProto(p.created_at, out->mutable_created_at());
    for (const auto& t : tasks) TaskToProto(t, out->add_tasks());
}

Actor ActorOf(const rpc::CallScope& scope) {
    const auto claims = scope.RequireClaims();
    return Actor{claims.subject, claims.role};
}

/// A UUID, or "" (which names nothing and is refused where it matters, after the caller's rights).
std::string IdOrEmpty(const std::string& id) { return core::IsUuid(id) ? id : std::string(); }

}  // namespace

grpc::Status ClansApi::CreateWorkPackage(grpc::ServerContext* context, const v1::CreateWorkPackageRequest* request,
                                         v1::CreateWorkPackageResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request->clan_id(), "clan_id");
        *response = service::Mutate<v1::CreateWorkPackageResponse>(runtime_, idem, *request, [&](pqxx::work& tx) {
            v1::CreateWorkPackageResponse r;
            const auto p =
                flows_.CreateWorkPackage(tx, request->clan_id(), actor, request->contract_id(), request->milestone_id(),
                                         {request->title(), request->description()});
            PackageToProto(p, {}, r.mutable_package());
            return r;
        });
    });
}

grpc::Status ClansApi::ListWorkPackages(grpc::ServerContext* context, const v1::ListWorkPackagesRequest* request,
                                        v1::ListWorkPackagesResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        core::RequireUuid(request->clan_id(), "clan_id");
        if (!request->contract_id().empty()) core::RequireUuid(request->contract_id(), "contract_id");
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            for (const auto& w : flows_.ListWork(tx, request->clan_id(), actor, request->contract_id(), kMaxListed)) {
                PackageToProto(w.package, w.tasks, response->add_packages());
            }
        });
    });
}

grpc::Status ClansApi::CreateClanTask(grpc::ServerContext* context, const v1::CreateClanTaskRequest* request,
                                      v1::CreateClanTaskResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request->clan_id(), "clan_id");
        core::RequireUuid(request->package_id(), "package_id");
        const NewTaskInput input{request->title(), request->description(), IdOrEmpty(request->assignee_id()),
                                 request->estimate_hours()};
        if (!request->assignee_id().empty() && input.assignee_id.empty()) {
            throw core::InvalidArgument("assignee_id", "is not a current member of the clan");
        }
        *response = service::Mutate<v1::CreateClanTaskResponse>(runtime_, idem, *request, [&](pqxx::work& tx) {
            v1::CreateClanTaskResponse r;
            TaskToProto(flows_.CreateTask(tx, request->clan_id(), request->package_id(), actor, input),
                        r.mutable_task());
            return r;
        });
    });
}

grpc::Status ClansApi::UpdateClanTask(grpc::ServerContext* context, const v1::UpdateClanTaskRequest* request,
                                      v1::UpdateClanTaskResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Actor actor = ActorOf(scope);
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request->clan_id(), "clan_id");
        core::RequireUuid(request->task_id(), "task_id");
        TaskPatch patch;
        if (request->has_title()) patch.title = request->title().value();
        if (request->has_description()) patch.description = request->description().value();
        if (request->has_assignee_id()) patch.assignee_id = request->assignee_id().value();
        patch.status = StatusFrom(request->status());
        if (request->has_estimate_hours()) patch.estimate_hours = request->estimate_hours().value();
        if (request->has_logged_hours()) patch.logged_hours = request->logged_hours().value();
        *response = service::Mutate<v1::UpdateClanTaskResponse>(runtime_, idem, *request, [&](pqxx::work& tx) {
            v1::UpdateClanTaskResponse r;
            TaskToProto(flows_.UpdateTask(tx, request->clan_id(), request->task_id(), actor, patch), r.mutable_task());
            return r;
        });
    });
}

}  // namespace marketplace::clans::api
