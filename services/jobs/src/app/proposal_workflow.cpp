#include "app/proposal_workflow.hpp"

#include <type_traits>

#include "events/job_events.hpp"
#include "marketplace/core/errors.hpp"
#include "storage/clan_application_store.hpp"
#include "storage/job_store.hpp"
#include "storage/proposal_store.hpp"

namespace marketplace::jobs {

ClanRoster ProposalWorkflow::Roster(const std::string& clan_id, const std::string& bearer_token) const {
    if (!clans_) throw core::Unavailable("clan applications are not available: no clans service configured");
    return clans_->Roster(clan_id, bearer_token);
}

ProposalWorkflow::Result ProposalWorkflow::Submit(pqxx::work& tx, const Caller& caller, const std::string& job_id,
                                                  proposal_command::Submit submit) const {
    ProposalState state;
    // A share lock: submissions run side by side, but not while the job is accepted or edited.
    state.job = JobStore::Find(tx, job_id, RowLock::kShare);
    if (state.job) {
        const std::string applicant = submit.clan_id.empty() ? caller.user_id : submit.clan_id;
        state.applicant_has_live = ProposalStore::HasLive(tx, state.job->job_id, applicant);
    }
    return Apply(tx, state, submit, caller);
}

ProposalWorkflow::Result ProposalWorkflow::Withdraw(pqxx::work& tx, const Caller& caller,
                                                    const std::string& proposal_id) const {
    ProposalState state;
    state.proposal = ProposalStore::Find(tx, proposal_id, RowLock::kUpdate);
    if (state.proposal) state.application = ClanApplicationStore::Find(tx, state.proposal->proposal_id);
    return Apply(tx, state, proposal_command::Withdraw{}, caller);
}

ProposalWorkflow::Result ProposalWorkflow::Agree(pqxx::work& tx, const Caller& caller,
                                                 const std::string& proposal_id) const {
    ProposalState state;
    state.proposal = ProposalStore::Find(tx, proposal_id, RowLock::kUpdate);
    if (state.proposal) state.application = ClanApplicationStore::Find(tx, state.proposal->proposal_id);
    return Apply(tx, state, proposal_command::Agree{}, caller);
}

ProposalWorkflow::Result ProposalWorkflow::Accept(pqxx::work& tx, const Caller& caller, const std::string& proposal_id,
                                                  const std::string& bearer_token) const {
    ProposalState state;
    const auto found = ProposalStore::Find(tx, proposal_id);
    if (!found) throw core::NotFound("proposal not found");
    // Lock order: the job, then its proposals (as everywhere else).
    state.job = JobStore::Find(tx, found->job_id, RowLock::kUpdate);
    state.proposal = ProposalStore::Find(tx, proposal_id, RowLock::kUpdate);
    if (state.proposal) state.application = ClanApplicationStore::Find(tx, state.proposal->proposal_id);
    proposal_command::Accept accept;
    // A clan's proposal: the clan's roster now, to check that every named member still belongs.
    if (AcceptNeedsRoster(state, caller)) accept.roster = Roster(state.application->clan_id, bearer_token);
    return Apply(tx, state, accept, caller);
}

ProposalWorkflow::Result ProposalWorkflow::Apply(pqxx::work& tx, const ProposalState& state,
                                                 const ProposalCommand& command, const Caller& caller) const {
    auto decision = Decide(state, command, caller, runtime_.clock()->Now());
    Result result{*decision.state.proposal, decision.state.application, decision.state.job, 0};
    const Proposal& proposal = result.proposal;
    switch (decision.save) {
        case ProposalSave::kNone:
            break;
        case ProposalSave::kInsert:
            ProposalStore::Insert(tx, proposal);
            if (decision.team) {
                const auto& app = *decision.state.application;
                ClanApplicationStore::Insert(tx, proposal.proposal_id, app.clan_id, app.submitted_by, *decision.team);
            }
            break;
        case ProposalSave::kStatus:
            ProposalStore::SetStatus(tx, proposal.proposal_id, proposal.status, proposal.updated_micros);
            break;
        case ProposalSave::kAccept: {
            const Job& job = *result.job;
            ProposalStore::SetStatus(tx, proposal.proposal_id, proposal.status, proposal.updated_micros);
            JobStore::SetStatus(tx, job.job_id, job.status, job.accepted_proposal_id, job.updated_micros);
            break;
        }
    }
    bool reread_application = decision.save == ProposalSave::kInsert;
    for (const auto& effect : decision.effects) {
        std::visit(
            [&](const auto& e) {
                using E = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<E, proposal_effect::AnnounceSubmitted>) {
                    auto submitted = MakeProposalSubmitted(proposal);
                    submitted.set_job_title(state.job->spec.title);
                    if (const auto& app = decision.state.application) {
                        submitted.set_clan_id(app->clan_id);
                        submitted.set_submitted_by(app->submitted_by);
                        for (const auto& a : app->agreements) submitted.add_clan_member_ids(a.member.user_id);
                    }
                    runtime_.Publish(tx, proposal.job_id, submitted);
                } else if constexpr (std::is_same_v<E, proposal_effect::RecordAgreement>) {
                    ClanApplicationStore::Agree(tx, proposal.proposal_id, e.user_id, e.agreed_micros);
                    reread_application = true;
                } else if constexpr (std::is_same_v<E, proposal_effect::DeclineOtherProposals>) {
                    result.declined_proposals =
                        ProposalStore::DeclineLive(tx, proposal.job_id, proposal.proposal_id, proposal.updated_micros);
                } else if constexpr (std::is_same_v<E, proposal_effect::AnnounceAccepted>) {
                    const Job& job = *result.job;
                    auto accepted = MakeProposalAccepted(job, proposal);
                    if (const auto& app = result.application) {
                        accepted.set_clan_id(app->clan_id);
                        accepted.set_clan_leader_id(e.clan_leader_id);
                        accepted.set_split_mode(std::string(SplitModeName(app->mode)));
                        for (const auto& a : app->agreements) {
                            auto* share = accepted.add_clan_shares();
                            share->set_user_id(a.member.user_id);
                            share->set_role(a.member.role);
                            share->set_weight(a.share_weight);
                        }
                    }
                    runtime_.Publish(tx, job.job_id, accepted);
                }
            },
            effect);
    }
    // The application as stored (the agreements' times as the database keeps them).
    if (reread_application) result.application = ClanApplicationStore::Find(tx, proposal.proposal_id);
    return result;
}

}  // namespace marketplace::jobs
