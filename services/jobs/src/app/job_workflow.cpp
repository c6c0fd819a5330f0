#include "app/job_workflow.hpp"

#include <type_traits>

#include "events/job_events.hpp"
#include "marketplace/core/ids.hpp"
#include "storage/invite_store.hpp"
#include "storage/job_store.hpp"
#include "storage/proposal_store.hpp"

namespace marketplace::jobs {

JobWorkflow::Result JobWorkflow::Post(pqxx::work& tx, const Caller& caller, JobInput input) const {
    return Apply(tx, std::nullopt, job_command::Post{core::NewUuidV7(), std::move(input)}, caller);
}

JobWorkflow::Result JobWorkflow::Edit(pqxx::work& tx, const Caller& caller, const std::string& job_id, JobInput changes,
                                      std::vector<std::string> paths) const {
    const auto job = JobStore::Find(tx, job_id, RowLock::kUpdate);
    job_command::Edit edit{std::move(changes), std::move(paths), 0};
    if (job) edit.live_proposals = ProposalStore::CountLive(tx, job->job_id);
    return Apply(tx, job, edit, caller);
}

JobWorkflow::Result JobWorkflow::Close(pqxx::work& tx, const Caller& caller, const std::string& job_id) const {
    return Apply(tx, JobStore::Find(tx, job_id, RowLock::kUpdate), job_command::Close{}, caller);
}

Invite JobWorkflow::InviteFreelancer(pqxx::work& tx, const Caller& caller, const std::string& job_id,
                                     const std::string& freelancer_id, const std::string& message) const {
    Invite invite;
    Apply(tx, JobStore::Find(tx, job_id, RowLock::kShare),
          job_command::Invite{core::NewUuidV7(), freelancer_id, message}, caller, &invite);
    return invite;
}

JobWorkflow::Result JobWorkflow::Apply(pqxx::work& tx, const std::optional<Job>& job, const JobCommand& command,
                                       const Caller& caller, Invite* invite) const {
    auto decision = Decide(job, command, caller, runtime_.clock()->Now());
    Result result{std::move(decision.job), 0};
    const Job& after = result.job;
    switch (decision.save) {
        case JobSave::kNone:
            break;
        case JobSave::kInsert:
            JobStore::Insert(tx, after);
            break;
        case JobSave::kSpec:
            JobStore::UpdateSpec(tx, after.job_id, after.spec, after.updated_micros);
            break;
        case JobSave::kStatus:
            JobStore::SetStatus(tx, after.job_id, after.status, after.accepted_proposal_id, after.updated_micros);
            break;
    }
    for (const auto& effect : decision.effects) {
        std::visit(
            [&](const auto& e) {
                using E = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<E, job_effect::AnnouncePosted>) {
                    runtime_.Publish(tx, after.job_id, MakeJobPosted(after));
                } else if constexpr (std::is_same_v<E, job_effect::DeclineLiveProposals>) {
                    result.declined_proposals = ProposalStore::DeclineLive(tx, after.job_id, "", after.updated_micros);
                } else if constexpr (std::is_same_v<E, job_effect::SendInvite>) {
                    InviteStore::Insert(tx, e.invite);
                    if (invite != nullptr) *invite = e.invite;
                }
            },
            effect);
    }
    return result;
}

}  // namespace marketplace::jobs
