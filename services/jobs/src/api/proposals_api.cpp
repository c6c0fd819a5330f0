// JobsService: proposals and their acceptance.
#include "api/clan_proposals.hpp"
#include "api/convert.hpp"
#include "api/jobs_api.hpp"
#include "domain/page_token.hpp"
#include "domain/proposal.hpp"
#include "events/job_events.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/values.hpp"
#include "storage/clan_application_store.hpp"
#include "storage/job_store.hpp"
#include "storage/proposal_store.hpp"
#include "storage/sql.hpp"

namespace marketplace::jobs {
namespace {

/// Adds the clan's application to a proposal message when the proposal is a clan's.
void AddClan(pqxx::work& tx, const ProposalRecord& p, v1::Proposal* out) {
    if (const auto app = ClanApplicationStore::Find(tx, p.proposal_id)) {
        ToProto(*app, p.plan.total.currency(), out->mutable_clan());
    }
}

bool NamedOrSubmitter(const std::optional<ClanApplicationRecord>& app, const std::string& user_id) {
    return app && (app->submitted_by == user_id || app->Find(user_id) != nullptr);
}

}  // namespace

ClansReader& JobsApi::Clans() const {
    if (!clans_) throw core::Unavailable("clan applications are not available: no clans service configured");
    return *clans_;
}

grpc::Status JobsApi::SubmitProposal(grpc::ServerContext* context, const v1::SubmitProposalRequest* request,
                                     v1::SubmitProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        RequireRole(caller, kRoleFreelancer, "submit a proposal");
        core::RequireUuid(request->job_id(), "job_id");
        // A clan's application: the clan's roster as the clans service shows it now.
        const bool as_clan = !request->clan_id().empty();
        std::optional<ClanRoster> roster;
        if (as_clan) {
            core::RequireUuid(request->clan_id(), "clan_id");
            roster = Clans().Roster(request->clan_id(), call.bearer_token());
        } else if (request->team_size() > 0 || request->split_size() > 0) {
            throw core::InvalidArgument("clan_id", "is required with a team plan and a split");
        }
        const std::string applicant = as_clan ? request->clan_id() : caller.user_id;
        *response = Mutate<v1::SubmitProposalResponse>(call, *request, [&](pqxx::work& tx) {
            // A share lock: submissions run side by side, but not while the job is accepted or edited.
            const auto job = JobStore::Find(tx, request->job_id(), RowLock::kShare);
            if (!job) throw core::NotFound("job not found");
            RequireOpen(job->status, "take proposals");
            const auto now = runtime_.clock()->Now();
            auto plan = ValidateProposal(ProposalInputFrom(*request), job->spec.currency(), now);
            std::optional<TeamPlan> team;
            if (as_clan)
                team = ValidateTeamPlan(TeamFrom(*request), SplitFrom(*request), plan.total, *roster, caller.user_id);
            if (ProposalStore::HasLive(tx, job->job_id, applicant)) {
                throw core::Conflict(as_clan ? "the clan already has a live proposal on this job; one application per "
                                               "clan per job"
                                             : "you already have a live proposal on this job; withdraw it to submit "
                                               "another");
            }
            const auto micros = db::MicrosSinceEpoch(now);
            const ProposalRecord proposal{core::NewUuidV7(),          job->job_id, applicant, std::move(plan),
                                          ProposalStatus::kSubmitted, micros,      micros};
            ProposalStore::Insert(tx, proposal);
            if (team) ClanApplicationStore::Insert(tx, proposal.proposal_id, applicant, caller.user_id, *team);
            auto submitted = MakeProposalSubmitted(proposal);
            submitted.set_job_title(job->spec.title);
            if (team) {
                submitted.set_clan_id(applicant);
                submitted.set_submitted_by(caller.user_id);
                for (const auto& m : team->members) submitted.add_clan_member_ids(m.user_id);
            }
            runtime_.Publish(tx, job->job_id, submitted);
            v1::SubmitProposalResponse r;
            ToProto(proposal, r.mutable_proposal());
            AddClan(tx, proposal, r.mutable_proposal());
            return r;
        });
    });
}

grpc::Status JobsApi::WithdrawProposal(grpc::ServerContext* context, const v1::WithdrawProposalRequest* request,
                                       v1::WithdrawProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->proposal_id(), "proposal_id");
        *response = Mutate<v1::WithdrawProposalResponse>(call, *request, [&](pqxx::work& tx) {
            auto proposal = ProposalStore::Find(tx, request->proposal_id(), RowLock::kUpdate);
            if (!proposal) throw core::NotFound("proposal not found");
            const auto app = ClanApplicationStore::Find(tx, proposal->proposal_id);
            if (app) {
                if (!NamedOrSubmitter(app, caller.user_id)) throw core::NotFound("proposal not found");
                if (app->submitted_by != caller.user_id) {
                    throw core::PermissionDenied("only the clan's member who submitted it may withdraw it");
                }
            } else {
                RequireProposalAuthor(caller, proposal->freelancer_id, "withdraw it");
            }
            RequireLiveProposal(proposal->status, "withdrawn");
            proposal->status = ProposalStatus::kWithdrawn;
            proposal->updated_micros = NowMicros();
            ProposalStore::SetStatus(tx, proposal->proposal_id, proposal->status, proposal->updated_micros);
            v1::WithdrawProposalResponse r;
            ToProto(*proposal, r.mutable_proposal());
            AddClan(tx, *proposal, r.mutable_proposal());
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
        // A clan's proposal: the clan's roster now, to check that every named member still belongs.
        std::optional<ClanRoster> roster;
        const auto clan_id = Read([&](pqxx::work& tx) {
            const auto app = ClanApplicationStore::Find(tx, request->proposal_id());
            return app ? app->clan_id : std::string();
        });
        *response = Mutate<v1::AcceptProposalResponse>(call, *request, [&](pqxx::work& tx) {
            const auto found = ProposalStore::Find(tx, request->proposal_id());
            if (!found) throw core::NotFound("proposal not found");
            // Lock order: the job, then its proposals (as everywhere else).
            auto job = JobStore::Find(tx, found->job_id, RowLock::kUpdate);
            if (!job) throw core::NotFound("proposal not found");
            RequireJobOwner(caller, job->client_id, "accept a proposal");
            auto proposal = ProposalStore::Find(tx, request->proposal_id(), RowLock::kUpdate);
            RequireOpen(job->status, "have a proposal accepted");
            RequireLiveProposal(proposal->status, "accepted");
            const auto app = ClanApplicationStore::Find(tx, proposal->proposal_id);
            if (app) {
                const auto waiting = std::count_if(app->agreements.begin(), app->agreements.end(),
                                                   [](const AgreementRecord& a) { return !a.agreed_micros; });
                if (waiting > 0) {
                    throw core::FailedPrecondition(std::to_string(waiting) + " of " +
                                                   std::to_string(app->agreements.size()) +
                                                   " members named in the clan's plan have not agreed yet");
                }
                if (!roster) roster = Clans().Roster(clan_id, call.bearer_token());
                if (roster->archived) throw core::FailedPrecondition("the clan is archived");
                for (std::size_t i = 0; i < app->agreements.size(); ++i) {
                    if (roster->roles.count(app->agreements[i].member.user_id) == 0) {
                        throw core::FailedPrecondition(
                            "team[" + std::to_string(i) + "] (" + app->agreements[i].member.user_id +
                            ") is no longer a member of the clan: the clan must apply again");
                    }
                }
            }

            const auto now = NowMicros();
            const int declined = ProposalStore::DeclineLive(tx, job->job_id, proposal->proposal_id, now);
            proposal->status = ProposalStatus::kAccepted;
            proposal->updated_micros = now;
            ProposalStore::SetStatus(tx, proposal->proposal_id, proposal->status, now);
            job->status = JobStatus::kInProgress;
            job->accepted_proposal_id = proposal->proposal_id;
            job->updated_micros = now;
            JobStore::SetStatus(tx, job->job_id, job->status, job->accepted_proposal_id, now);
            auto accepted = MakeProposalAccepted(*job, *proposal);
            if (app) {
                accepted.set_clan_id(app->clan_id);
                accepted.set_clan_leader_id(roster->head_id);
                accepted.set_split_mode(std::string(SplitModeName(app->mode)));
                for (const auto& a : app->agreements) {
                    auto* share = accepted.add_clan_shares();
                    share->set_user_id(a.member.user_id);
                    share->set_role(a.member.role);
                    share->set_weight(a.share_weight);
                }
            }
            runtime_.Publish(tx, job->job_id, accepted);

            v1::AcceptProposalResponse r;
            ToProto(*proposal, r.mutable_proposal());
            if (app) ToProto(*app, proposal->plan.total.currency(), r.mutable_proposal()->mutable_clan());
            ToProto(*job, r.mutable_job());
            r.set_declined_proposals(declined);
            return r;
        });
    });
}

}  // namespace marketplace::jobs

namespace marketplace::jobs {

grpc::Status JobsApi::AgreeToProposal(grpc::ServerContext* context, const v1::AgreeToProposalRequest* request,
                                      v1::AgreeToProposalResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& call) {
        const auto caller = RequireCaller(call);
        core::RequireUuid(request->proposal_id(), "proposal_id");
        *response = Mutate<v1::AgreeToProposalResponse>(call, *request, [&](pqxx::work& tx) {
            auto proposal = ProposalStore::Find(tx, request->proposal_id(), RowLock::kUpdate);
            if (!proposal) throw core::NotFound("proposal not found");
            const auto app = ClanApplicationStore::Find(tx, proposal->proposal_id);
            if (!NamedOrSubmitter(app, caller.user_id)) throw core::NotFound("proposal not found");
            if (app->Find(caller.user_id) == nullptr) {
                throw core::PermissionDenied("only a member named in the clan's plan agrees to it");
            }
            RequireLiveProposal(proposal->status, "agreed to");
            ClanApplicationStore::Agree(tx, proposal->proposal_id, caller.user_id, NowMicros());
            v1::AgreeToProposalResponse r;
            ToProto(*proposal, r.mutable_proposal());
            AddClan(tx, *proposal, r.mutable_proposal());
            return r;
        });
    });
}

}  // namespace marketplace::jobs
