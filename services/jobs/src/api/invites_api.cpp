// JobsService: invites.
#include "api/convert.hpp"
#include "api/jobs_api.hpp"
#include "domain/page_token.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/service/mutate.hpp"
#include "storage/invite_store.hpp"
#include "storage/job_store.hpp"

namespace marketplace::jobs {

grpc::Status JobsApi::InviteFreelancer(grpc::ServerContext* context, const v1::InviteFreelancerRequest* request,
                                       v1::InviteFreelancerResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->job_id(), "job_id");
        *response = service::Mutate<v1::InviteFreelancerResponse>(
            runtime_, rpc::IdempotentCall::From(call), *request, [&](pqxx::work& tx) {
                const auto invite =
                    jobs_.InviteFreelancer(tx, caller, request->job_id(), request->freelancer_id(), request->message());
                v1::InviteFreelancerResponse r;
                ToProto(invite, r.mutable_invite());
                return r;
            });
    });
}

grpc::Status JobsApi::ListJobInvites(grpc::ServerContext* context, const v1::ListJobInvitesRequest* request,
                                     v1::ListJobInvitesResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->job_id(), "job_id");
        const auto page_size = ResolvePageSize(request->page_size());
        const auto fingerprint = Fingerprint({"job-invites", request->job_id()});
        const auto after = DecodePageToken(request->page_token(), fingerprint);
        const auto page = Read([&](pqxx::work& tx) {
            const auto job = JobStore::Find(tx, request->job_id());
            if (!job) throw core::NotFound("job not found");
            RequireJobOwnerOrAdmin(caller, job->client_id, "list its invites");
            return InviteStore::ListByJob(tx, job->job_id, page_size, after);
        });
        for (const auto& i : page.rows) ToProto(i, response->add_invites());
        if (page.next) response->set_next_page_token(EncodePageToken(*page.next, fingerprint));
    });
}

grpc::Status JobsApi::ListMyInvites(grpc::ServerContext* context, const v1::ListMyInvitesRequest* request,
                                    v1::ListMyInvitesResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        const auto page_size = ResolvePageSize(request->page_size());
        const auto fingerprint = Fingerprint({"my-invites", caller.user_id});
        const auto after = DecodePageToken(request->page_token(), fingerprint);
        const auto page =
            Read([&](pqxx::work& tx) { return InviteStore::ListByFreelancer(tx, caller.user_id, page_size, after); });
        for (const auto& i : page.rows) ToProto(i, response->add_invites());
        if (page.next) response->set_next_page_token(EncodePageToken(*page.next, fingerprint));
    });
}

}  // namespace marketplace::jobs
