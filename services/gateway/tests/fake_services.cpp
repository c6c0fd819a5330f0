#include "fake_services.hpp"

#include <thread>

#include <grpcpp/server_context.h>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/tokens/verifier.hpp"

namespace marketplace::gateway::test {

namespace {

std::string Metadata(const grpc::ServerContextBase& context, const char* key) {
    const auto& metadata = context.client_metadata();
    const auto it = metadata.find(key);
    return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

SeenCall See(const rpc::CallScope& call, const char* method) {
    SeenCall seen;
    seen.method = method;
    seen.request_id = call.request_id();
    seen.trace_id = call.trace().trace_id;
    seen.authorization = Metadata(call.context(), "authorization");
    seen.idempotency_key = Metadata(call.context(), "idempotency-key");
    try {
        if (auto claims = call.OptionalClaims()) seen.subject = claims->subject;
    } catch (const core::Unauthenticated&) {
        // Recorded anyway: the test wants to see what reached the service.
    }
    return seen;
}

jobs::v1::ProjectTemplate Template(const std::string& id, const std::string& name) {
    jobs::v1::ProjectTemplate t;
    t.set_template_id(id);
    t.set_name(name);
    t.set_summary(name + " in four milestones.");
    t.add_suggested_stack("c++");
    auto* m = t.add_milestones();
    m->set_title("Discovery");
    m->set_budget_share_bps(10000);
    return t;
}

}  // namespace

void CallLog::Record(SeenCall call) {
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(call));
}

SeenCall CallLog::Last() const {
    std::lock_guard lock(mu_);
    return calls_.empty() ? SeenCall{} : calls_.back();
}

std::size_t CallLog::size() const {
    std::lock_guard lock(mu_);
    return calls_.size();
}

grpc::Status FakeJobs::ListTemplates(grpc::ServerContext* ctx, const jobs::v1::ListTemplatesRequest*,
                                     jobs::v1::ListTemplatesResponse* resp) {
    return rpc::Handle(ctx, [&](rpc::CallScope& call) {
        calls.Record(See(call, "ListTemplates"));
        *resp->add_templates() = Template("saas-mvp", "SaaS MVP");
        *resp->add_templates() = Template("mobile-app", "Mobile app");
    });
}

grpc::Status FakeJobs::GetTemplate(grpc::ServerContext* ctx, const jobs::v1::GetTemplateRequest* req,
                                   jobs::v1::GetTemplateResponse* resp) {
    return rpc::Handle(ctx, [&](rpc::CallScope& call) {
        calls.Record(See(call, "GetTemplate"));
        if (req->template_id() != "saas-mvp") throw core::NotFound("template '" + req->template_id() + "' not found");
        *resp->mutable_project_template() = Template("saas-mvp", "SaaS MVP");
    });
}

grpc::Status FakeJobs::PostJob(grpc::ServerContext* ctx, const jobs::v1::PostJobRequest* req,
                               jobs::v1::PostJobResponse* resp) {
    return rpc::Handle(ctx, [&](rpc::CallScope& call) {
        calls.Record(See(call, "PostJob"));
        const auto claims = call.RequireClaims();
        if (claims.role != "client") throw core::PermissionDenied("only clients post jobs");
        if (Metadata(call.context(), "idempotency-key").empty()) {
            throw core::InvalidArgument("idempotency-key", "is required");
        }
        if (req->title().empty()) throw core::InvalidArgument("title", "must not be empty");
        if (req->budget_min().minor_units() <= 0) throw core::InvalidArgument("budget_min.minor_units", "must be > 0");
        auto* job = resp->mutable_job();
        job->set_job_id(kKnownJobId);
        job->set_client_id(claims.subject);
        job->set_title(req->title());
        job->set_description(req->description());
        *job->mutable_stack() = req->stack();
        *job->mutable_budget_min() = req->budget_min();
        *job->mutable_budget_max() = req->budget_max();
        job->set_currency(req->budget_min().currency());
        job->set_status(jobs::v1::JOB_STATUS_OPEN);
        job->mutable_created_at()->set_seconds(1'800'000'000);
    });
}

grpc::Status FakeJobs::GetJob(grpc::ServerContext* ctx, const jobs::v1::GetJobRequest* req,
                              jobs::v1::GetJobResponse* resp) {
    return rpc::Handle(ctx, [&](rpc::CallScope& call) {
        calls.Record(See(call, "GetJob"));
        call.RequireClaims();
        core::RequireUuid(req->job_id(), "job_id");
        if (req->job_id() != kKnownJobId) throw core::NotFound("job not found");
        resp->mutable_job()->set_job_id(kKnownJobId);
        resp->mutable_job()->set_title("Known job");
    });
}

grpc::Status FakeJobs::SearchJobs(grpc::ServerContext* ctx, const jobs::v1::SearchJobsRequest* req,
                                  jobs::v1::SearchJobsResponse* resp) {
    return rpc::Handle(ctx, [&](rpc::CallScope& call) {
        calls.Record(See(call, "SearchJobs"));
        if (req->page_size() < 0 || req->page_size() > 100) throw core::InvalidArgument("page_size", "must be 0..100");
        // The filters come back as a job, so a test sees what the gateway bound.
        auto* job = resp->add_jobs();
        job->set_title(req->query());
        *job->mutable_stack() = req->stack();
        *job->mutable_budget_min() = req->budget_min();
        if (req->statuses_size() > 0) job->set_status(req->statuses(0));
        resp->set_next_page_token("page-size-" + std::to_string(req->page_size()));
    });
}

grpc::Status FakeJobs::CloseJob(grpc::ServerContext* ctx, const jobs::v1::CloseJobRequest* req,
                                jobs::v1::CloseJobResponse*) {
    return rpc::Handle(ctx, [&](rpc::CallScope& call) {
        calls.Record(See(call, "CloseJob"));
        throw core::FailedPrecondition("job " + req->job_id() + " is not open");
    });
}

grpc::Status FakeJobs::ListMyInvites(grpc::ServerContext* ctx, const jobs::v1::ListMyInvitesRequest*,
                                     jobs::v1::ListMyInvitesResponse*) {
    return rpc::Handle(ctx, [&](rpc::CallScope& call) {
        calls.Record(See(call, "ListMyInvites"));
        call.RequireClaims();
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(slow_ms.load());
        while (std::chrono::steady_clock::now() < until && !ctx->IsCancelled()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
}

grpc::Status FakePayments::HandleProviderWebhook(grpc::ServerContext* ctx,
                                                 const payments::v1::HandleProviderWebhookRequest* req,
                                                 payments::v1::HandleProviderWebhookResponse* resp) {
    return rpc::Handle(ctx, [&](rpc::CallScope& call) {
        calls.Record(See(call, "HandleProviderWebhook"));
        {
            std::lock_guard lock(mu_);
            body_ = req->body();
            signature_ = req->signature();
            provider_ = req->provider();
        }
        if (req->signature().empty()) throw core::InvalidArgument("signature", "is required");
        resp->set_outcome(payments::v1::WEBHOOK_OUTCOME_APPLIED);
    });
}

std::string FakePayments::last_body() const {
    std::lock_guard lock(mu_);
    return body_;
}

std::string FakePayments::last_provider() const {
    std::lock_guard lock(mu_);
    return provider_;
}

std::string FakePayments::last_signature() const {
    std::lock_guard lock(mu_);
    return signature_;
}

grpc::Status FakeNotifications::StreamNotifications(grpc::ServerContext* ctx,
                                                    const notifications::v1::StreamNotificationsRequest* req,
                                                    grpc::ServerWriter<notifications::v1::Notification>* writer) {
    ++active;
    const auto status = rpc::Handle(ctx, [&](rpc::CallScope& call) {
        calls.Record(See(call, "StreamNotifications"));
        const auto claims = call.RequireClaims();
        const auto mode = end.load();
        const int total = mode == End::kFlood ? kFloodLimit : count.load();
        const std::string padding = mode == End::kFlood ? std::string(16 * 1024, 'x') : std::string();
        for (int i = 1; i <= total; ++i) {
            notifications::v1::Notification n;
            n.set_notification_id("0190a1b2-0000-7000-8000-" + std::to_string(100000000000 + i));
            n.set_sequence(req->after_sequence() + i);
            n.set_kind("milestone.funded");
            n.set_title("Milestone funded for " + claims.subject + padding);
            n.mutable_created_at()->set_seconds(1'800'000'000 + i);
            if (!writer->Write(n)) {
                // The call is gone. gRPC can fail the write a moment before the context reports the
                // cancellation, so give it that moment before `cancelled` is read below.
                const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
                while (!ctx->IsCancelled() && std::chrono::steady_clock::now() < until) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
                break;
            }
            ++written;
        }
        if (mode == End::kFail) throw core::FailedPrecondition("the feed was closed");
        if (mode == End::kHold) {
            const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            while (!ctx->IsCancelled() && std::chrono::steady_clock::now() < until) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        }
    });
    if (ctx->IsCancelled()) ++cancelled;
    --active;
    return status;
}

grpc::Status FakeAuth::GetJwks(grpc::ServerContext* ctx, const auth::v1::GetJwksRequest*,
                               auth::v1::GetJwksResponse* resp) {
    return rpc::Handle(ctx, [&](rpc::CallScope&) {
        ++jwks_calls;
        std::lock_guard lock(mu_);
        for (const auto& key : keys_) *resp->add_keys() = tokens::ToJwk(key);
    });
}

void FakeAuth::SetKeys(std::vector<tokens::PublicKey> keys) {
    std::lock_guard lock(mu_);
    keys_ = std::move(keys);
}

}  // namespace marketplace::gateway::test
