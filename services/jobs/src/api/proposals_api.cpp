// JobsService: proposals and their acceptance.
#include "api/clan_proposals.hpp"
#include "api/convert.hpp"
#include "api/jobs_api.hpp"
#include "domain/page_token.hpp"
#include "domain/proposal.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/values.hpp"
#include "marketplace/service/mutate.hpp"
#include "storage/clan_application_store.hpp"
#include "storage/job_store.hpp"
#include "storage/proposal_store.hpp"

namespace marketplace::jobs {
namespace {

/// Adds the clan's application to a proposal message when the proposal is a clan's.
void AddClan(pqxx::work& tx, const ProposalRecord& p, v1::Proposal* out) {
    if (const auto app = ClanApplicationStore::Find(tx, p.proposal_id)) {
        ToProto(*app, p.plan.total.currency(), out->mutable_clan());
    }
}

bool NamedOrSubmitter(const std::optional<ClanApplicationRecord>& app, const std::string& user_id) {
    return app && app->NamesOrSubmittedBy(user_id);
}

/// A proposal after a command, with its clan's application when it is a clan's.
void ToProto(const ProposalWorkflow::Result& result, v1::Proposal* out) {
    ToProto(result.proposal, out);
    if (result.application) ToProto(*result.application, result.proposal.plan.total.currency(), out->mutable_clan());
}

}  // namespace

grpc::Status JobsApi::SubmitProposal(grpc::ServerContext* context, const v1::SubmitProposalRequest* request,
                                     v1::SubmitProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        RequireRole(caller, kRoleFreelancer, "submit a proposal");
        core::RequireUuid(request->job_id(), "job_id");
        proposal_command::Submit submit;
        // A clan's application: the clan's roster as the clans service shows it now.
        if (!request->clan_id().empty()) {
            core::RequireUuid(request->clan_id(), "clan_id");
            submit.clan_id = request->clan_id();
            submit.roster = proposals_.Roster(request->clan_id(), call.bearer_token());
            submit.team = TeamFrom(*request);
            submit.split = SplitFrom(*request);
        } else if (request->team_size() > 0 || request->split_size() > 0) {
            throw core::InvalidArgument("clan_id", "is required with a team plan and a split");
        }
        *response = service::Mutate<v1::SubmitProposalResponse>(
            runtime_, rpc::IdempotentCall::From(call), *request, [&](pqxx::work& tx) {
                auto command = submit;
                command.proposal_id = core::NewUuidV7();
                command.input = ProposalInputFrom(*request);
                const auto submitted = proposals_.Submit(tx, caller, request->job_id(), std::move(command));
                v1::SubmitProposalResponse r;
                ToProto(submitted, r.mutable_proposal());
                return r;
            });
    });
}

grpc::Status JobsApi::WithdrawProposal(grpc::ServerContext* context, const v1::WithdrawProposalRequest* request,
                                       v1::WithdrawProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->proposal_id(), "proposal_id");
        *response = service::Mutate<v1::WithdrawProposalResponse>(
            runtime_, rpc::IdempotentCall::From(call), *request, [&](pqxx::work& tx) {
                const auto withdrawn = proposals_.Withdraw(tx, caller, request->proposal_id());
                v1::WithdrawProposalResponse r;
                ToProto(withdrawn, r.mutable_proposal());
                return r;
            });
    });
}

grpc::Status JobsApi::GetProposal(grpc::ServerContext* context, const v1::GetProposalRequest* request,
                                  v1::GetProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->proposal_id(), "proposal_id");
        Read([&](pqxx::work& tx) {
            const auto proposal = ProposalStore::Find(tx, request->proposal_id());
            if (!proposal) throw core::NotFound("proposal not found");
            const auto job = JobStore::Find(tx, proposal->job_id);
            const auto app = ClanApplicationStore::Find(tx, proposal->proposal_id);
            if (!job || !(SeesProposal(caller, proposal->freelancer_id, job->client_id) ||
                          NamedOrSubmitter(app, caller.user_id))) {
                throw core::NotFound("proposal not found");
            }
            ToProto(*proposal, response->mutable_proposal());
            if (app) ToProto(*app, proposal->plan.total.currency(), response->mutable_proposal()->mutable_clan());
        });
    });
}

grpc::Status JobsApi::ListJobProposals(grpc::ServerContext* context, const v1::ListJobProposalsRequest* request,
                                       v1::ListJobProposalsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->job_id(), "job_id");
        const auto status = ProposalStatusFilter(request->status(), "status");
        const auto page_size = ResolvePageSize(request->page_size());
        const auto fingerprint =
            Fingerprint({"job-proposals", request->job_id(), status ? std::string(ProposalStatusName(*status)) : "*"});
        const auto after = DecodePageToken(request->page_token(), fingerprint);
        const auto page = Read([&](pqxx::work& tx) {
            const auto job = JobStore::Find(tx, request->job_id());
            if (!job) throw core::NotFound("job not found");
            RequireJobOwnerOrAdmin(caller, job->client_id, "list its proposals");
            return ProposalStore::ListByJob(tx, job->job_id, status, page_size, after);
        });
        Read([&](pqxx::work& tx) {
            for (const auto& p : page.rows) {
                auto* out = response->add_proposals();
                ToProto(p, out);
                AddClan(tx, p, out);
            }
        });
        if (page.next) response->set_next_page_token(EncodePageToken(*page.next, fingerprint));
    });
}

grpc::Status JobsApi::ListMyProposals(grpc::ServerContext* context, const v1::ListMyProposalsRequest* request,
                                      v1::ListMyProposalsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        const auto status = ProposalStatusFilter(request->status(), "status");
        const auto page_size = ResolvePageSize(request->page_size());
        const auto fingerprint =
            Fingerprint({"my-proposals", caller.user_id, status ? std::string(ProposalStatusName(*status)) : "*"});
        const auto after = DecodePageToken(request->page_token(), fingerprint);
        const auto page = Read([&](pqxx::work& tx) {
            return ProposalStore::ListByFreelancer(tx, caller.user_id, status, page_size, after);
        });
        for (const auto& p : page.rows) ToProto(p, response->add_proposals());
        if (page.next) response->set_next_page_token(EncodePageToken(*page.next, fingerprint));
    });
}

grpc::Status JobsApi::AcceptProposal(grpc::ServerContext* context, const v1::AcceptProposalRequest* request,
                                     v1::AcceptProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->proposal_id(), "proposal_id");
        *response = service::Mutate<v1::AcceptProposalResponse>(
            runtime_, rpc::IdempotentCall::From(call), *request, [&](pqxx::work& tx) {
                const auto accepted = proposals_.Accept(tx, caller, request->proposal_id(), call.bearer_token());
                v1::AcceptProposalResponse r;
                ToProto(accepted, r.mutable_proposal());
                ToProto(*accepted.job, r.mutable_job());
                r.set_declined_proposals(accepted.declined_proposals);
                return r;
            });
    });
}

grpc::Status JobsApi::AgreeToProposal(grpc::ServerContext* context, const v1::AgreeToProposalRequest* request,
                                      v1::AgreeToProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->proposal_id(), "proposal_id");
        *response = service::Mutate<v1::AgreeToProposalResponse>(
            runtime_, rpc::IdempotentCall::From(call), *request, [&](pqxx::work& tx) {
                const auto agreed = proposals_.Agree(tx, caller, request->proposal_id());
                v1::AgreeToProposalResponse r;
                ToProto(agreed, r.mutable_proposal());
                return r;
            });
    });
}

}  // namespace marketplace::jobs
