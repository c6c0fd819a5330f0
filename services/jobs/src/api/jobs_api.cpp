// JobsService: templates, jobs and search.
#include "api/jobs_api.hpp"

#include "api/convert.hpp"
#include "domain/job.hpp"
#include "domain/page_token.hpp"
#include "domain/search.hpp"
#include "domain/templates.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/values.hpp"
#include "marketplace/service/mutate.hpp"
#include "storage/job_store.hpp"

namespace marketplace::jobs {

Caller JobsApi::RequireCaller(const rpc::CallScope& call) {
    auto claims = call.RequireClaims();
    return Caller{std::move(claims.subject), std::move(claims.role)};
}

grpc::Status JobsApi::ListTemplates(grpc::ServerContext* context, const v1::ListTemplatesRequest*,
                                    v1::ListTemplatesResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope&) {
        for (const auto& t : TemplateCatalog()) ToProto(t, response->add_templates());
    });
}

grpc::Status JobsApi::GetTemplate(grpc::ServerContext* context, const v1::GetTemplateRequest* request,
                                  v1::GetTemplateResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope&) {
        if (request->template_id().empty()) throw core::InvalidArgument("template_id", "is required");
        ToProto(RequireTemplate(request->template_id()), response->mutable_project_template());
    });
}

grpc::Status JobsApi::PostJob(grpc::ServerContext* context, const v1::PostJobRequest* request,
                              v1::PostJobResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        RequireRole(caller, kRoleClient, "post a job");
        *response = service::Mutate<v1::PostJobResponse>(
            runtime_, rpc::IdempotentCall::From(call), *request, [&](pqxx::work& tx) {
                const auto posted = jobs_.Post(tx, caller, JobInputFrom(*request));
                v1::PostJobResponse r;
                ToProto(posted.job, r.mutable_job());
                return r;
            });
    });
}

grpc::Status JobsApi::UpdateJob(grpc::ServerContext* context, const v1::UpdateJobRequest* request,
                                v1::UpdateJobResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->job_id(), "job_id");
        *response = service::Mutate<v1::UpdateJobResponse>(
            runtime_, rpc::IdempotentCall::From(call), *request, [&](pqxx::work& tx) {
                std::vector<std::string> paths(request->update_mask().paths().begin(),
                                               request->update_mask().paths().end());
                const auto edited =
                    jobs_.Edit(tx, caller, request->job_id(), JobInputFrom(request->job()), std::move(paths));
                v1::UpdateJobResponse r;
                ToProto(edited.job, r.mutable_job());
                return r;
            });
    });
}

grpc::Status JobsApi::CloseJob(grpc::ServerContext* context, const v1::CloseJobRequest* request,
                               v1::CloseJobResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->job_id(), "job_id");
        *response = service::Mutate<v1::CloseJobResponse>(
            runtime_, rpc::IdempotentCall::From(call), *request, [&](pqxx::work& tx) {
                const auto closed = jobs_.Close(tx, caller, request->job_id());
                v1::CloseJobResponse r;
                ToProto(closed.job, r.mutable_job());
                r.set_declined_proposals(closed.declined_proposals);
                return r;
            });
    });
}

grpc::Status JobsApi::GetJob(grpc::ServerContext* context, const v1::GetJobRequest* request,
                             v1::GetJobResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->job_id(), "job_id");
        Read([&](pqxx::work& tx) {
            const auto job = JobStore::Find(tx, request->job_id());
            if (!job || (!SeesJobWithoutParticipation(caller, job->status == JobStatus::kOpen, job->client_id) &&
                         !JobStore::IsParticipant(tx, job->job_id, caller.user_id))) {
                throw core::NotFound("job not found");
            }
            ToProto(*job, response->mutable_job());
        });
    });
}

grpc::Status JobsApi::ListMyJobs(grpc::ServerContext* context, const v1::ListMyJobsRequest* request,
                                 v1::ListMyJobsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        const auto status = JobStatusFilter(request->status(), "status");
        const auto page_size = ResolvePageSize(request->page_size());
        const auto fingerprint =
            Fingerprint({"my-jobs", caller.user_id, status ? std::string(JobStatusName(*status)) : "*"});
        const auto after = DecodePageToken(request->page_token(), fingerprint);
        const auto page =
            Read([&](pqxx::work& tx) { return JobStore::ListByClient(tx, caller.user_id, status, page_size, after); });
        for (const auto& job : page.rows) ToProto(job, response->add_jobs());
        if (page.next) response->set_next_page_token(EncodePageToken(*page.next, fingerprint));
    });
}

grpc::Status JobsApi::SearchJobs(grpc::ServerContext* context, const v1::SearchJobsRequest* request,
                                 v1::SearchJobsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        std::optional<Caller> caller;
        if (auto claims = call.OptionalClaims()) caller = Caller{std::move(claims->subject), std::move(claims->role)};
        SearchInput input;
        input.query = request->query();
        input.stack.assign(request->stack().begin(), request->stack().end());
        input.budget_min = MoneyFrom(request->has_budget_min(), request->budget_min());
        input.budget_max = MoneyFrom(request->has_budget_max(), request->budget_max());
        for (int i = 0; i < request->statuses_size(); ++i) {
            input.statuses.push_back(JobStatusFrom(request->statuses(i), "statuses[" + std::to_string(i) + "]"));
        }
        input.page_size = request->page_size();
        input.page_token = request->page_token();
        const auto spec = ValidateSearch(input, caller);
        const auto page = Read([&](pqxx::work& tx) { return JobStore::Search(tx, spec); });
        for (const auto& job : page.rows) ToProto(job, response->add_jobs());
        if (page.next) response->set_next_page_token(EncodePageToken(*page.next, spec.fingerprint));
    });
}

}  // namespace marketplace::jobs
