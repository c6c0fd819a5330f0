#include "events/job_events.hpp"

#include "api/convert.hpp"
#include "marketplace/wire/values.hpp"

namespace marketplace::jobs {

v1::JobPosted MakeJobPosted(const JobRecord& job) {
    v1::JobPosted e;
    e.set_job_id(job.job_id);
    e.set_client_id(job.client_id);
    e.set_title(job.spec.title);
    return e;
}

v1::ProposalSubmitted MakeProposalSubmitted(const ProposalRecord& proposal) {
    v1::ProposalSubmitted e;
    e.set_proposal_id(proposal.proposal_id);
    e.set_job_id(proposal.job_id);
    e.set_freelancer_id(proposal.freelancer_id);
    wire::ToProto(proposal.plan.total, e.mutable_total());
    return e;
}

v1::ProposalAccepted MakeProposalAccepted(const JobRecord& job, const ProposalRecord& proposal) {
    v1::ProposalAccepted e;
    e.set_proposal_id(proposal.proposal_id);
    e.set_job_id(job.job_id);
    e.set_client_id(job.client_id);
    e.set_freelancer_id(proposal.freelancer_id);
    e.set_job_title(job.spec.title);
    e.set_job_description(job.spec.description);
    for (const auto& s : job.spec.stack) e.add_stack(s);
    e.set_nda_required(job.spec.nda_required);
    e.set_ip_assignment(job.spec.ip_assignment);
    e.set_cover_letter(proposal.plan.cover_letter);
    for (const auto& m : proposal.plan.milestones) {
        auto* pm = e.add_milestones();
        pm->set_title(m.title);
        pm->set_description(m.description);
        wire::ToProto(m.amount, pm->mutable_amount());
        wire::ToProto(m.due_date, pm->mutable_due_date());
        for (const auto& d : m.definition_of_done) pm->add_definition_of_done(d);
    }
    wire::ToProto(proposal.plan.total, e.mutable_total());
    e.set_delivery_days(proposal.plan.delivery_days);
    return e;
}

}  // namespace marketplace::jobs
