#include "api/convert.hpp"

#include <google/protobuf/timestamp.pb.h>

#include "marketplace/core/errors.hpp"
#include "marketplace/db/values.hpp"
#include "marketplace/wire/values.hpp"
#include "storage/sql.hpp"

namespace marketplace::jobs {
namespace {

template <typename Repeated>
std::vector<std::string> Strings(const Repeated& values) {
    return {values.begin(), values.end()};
}

template <typename Repeated>
void SetStrings(const std::vector<std::string>& values, Repeated* out) {
    for (const auto& v : values) out->Add(std::string(v));
}

}  // namespace

MoneyInput MoneyFrom(bool present, const common::v1::Money& money) {
    if (!present) return {};
    return MoneyInput::Of(money.minor_units(), money.currency());
}

JobInput JobInputFrom(const v1::PostJobRequest& r) {
    JobInput in;
    in.title = r.title();
    in.description = r.description();
    in.stack = Strings(r.stack());
    switch (r.budget_type()) {
        case v1::BUDGET_TYPE_UNSPECIFIED:
            in.budget_type = BudgetTypeInput::kUnspecified;
            break;
        case v1::BUDGET_TYPE_FIXED:
            in.budget_type = BudgetTypeInput::kFixed;
            break;
        case v1::BUDGET_TYPE_HOURLY:
            in.budget_type = BudgetTypeInput::kHourly;
            break;
        default:
            in.budget_type = BudgetTypeInput::kUnknown;
            break;
    }
    in.budget_min = MoneyFrom(r.has_budget_min(), r.budget_min());
    in.budget_max = MoneyFrom(r.has_budget_max(), r.budget_max());
    in.nda_required = r.nda_required();
    in.ip_assignment = r.ip_assignment();
    in.repo_url = r.repo_url();
    in.template_id = r.template_id();
    return in;
}

JobInput JobInputFrom(const v1::Job& j) {
    JobInput in;
    in.title = j.title();
    in.description = j.description();
    in.stack = Strings(j.stack());
    in.budget_min = MoneyFrom(j.has_budget_min(), j.budget_min());
    in.budget_max = MoneyFrom(j.has_budget_max(), j.budget_max());
    in.nda_required = j.nda_required();
    in.ip_assignment = j.ip_assignment();
    in.repo_url = j.repo_url();
    return in;
}

ProposalInput ProposalInputFrom(const v1::SubmitProposalRequest& r) {
    ProposalInput in;
    in.cover_letter = r.cover_letter();
    in.total = MoneyFrom(r.has_total(), r.total());
    in.delivery_days = r.delivery_days();
    in.milestones.reserve(static_cast<std::size_t>(r.milestones_size()));
    for (const auto& m : r.milestones()) {
        MilestoneInput mi;
        mi.title = m.title();
        mi.description = m.description();
        mi.amount = MoneyFrom(m.has_amount(), m.amount());
        if (m.has_due_date()) mi.due_date = TimestampInput{true, m.due_date().seconds(), m.due_date().nanos()};
        mi.definition_of_done = Strings(m.definition_of_done());
        in.milestones.push_back(std::move(mi));
    }
    return in;
}

JobStatus JobStatusFrom(v1::JobStatus status, std::string_view field) {
    switch (status) {
        case v1::JOB_STATUS_OPEN:
            return JobStatus::kOpen;
        case v1::JOB_STATUS_IN_PROGRESS:
            return JobStatus::kInProgress;
        case v1::JOB_STATUS_CLOSED:
            return JobStatus::kClosed;
        default:
            throw core::InvalidArgument(std::string(field), "is not a job status");
    }
}

std::optional<JobStatus> JobStatusFilter(v1::JobStatus status, std::string_view field) {
    if (status == v1::JOB_STATUS_UNSPECIFIED) return std::nullopt;
    return JobStatusFrom(status, field);
}

std::optional<ProposalStatus> ProposalStatusFilter(v1::ProposalStatus status, std::string_view field) {
    switch (status) {
        case v1::PROPOSAL_STATUS_UNSPECIFIED:
            return std::nullopt;
        case v1::PROPOSAL_STATUS_SUBMITTED:
            return ProposalStatus::kSubmitted;
        case v1::PROPOSAL_STATUS_WITHDRAWN:
            return ProposalStatus::kWithdrawn;
        case v1::PROPOSAL_STATUS_DECLINED:
            return ProposalStatus::kDeclined;
        case v1::PROPOSAL_STATUS_ACCEPTED:
            return ProposalStatus::kAccepted;
        default:
            throw core::InvalidArgument(std::string(field), "is not a proposal status");
    }
}

v1::JobStatus ToProto(JobStatus status) {
    switch (status) {
        case JobStatus::kOpen:
            return v1::JOB_STATUS_OPEN;
        case JobStatus::kInProgress:
            return v1::JOB_STATUS_IN_PROGRESS;
        case JobStatus::kClosed:
            return v1::JOB_STATUS_CLOSED;
    }
    return v1::JOB_STATUS_UNSPECIFIED;
}

v1::ProposalStatus ToProto(ProposalStatus status) {
    switch (status) {
        case ProposalStatus::kSubmitted:
            return v1::PROPOSAL_STATUS_SUBMITTED;
        case ProposalStatus::kWithdrawn:
            return v1::PROPOSAL_STATUS_WITHDRAWN;
        case ProposalStatus::kDeclined:
            return v1::PROPOSAL_STATUS_DECLINED;
        case ProposalStatus::kAccepted:
            return v1::PROPOSAL_STATUS_ACCEPTED;
    }
    return v1::PROPOSAL_STATUS_UNSPECIFIED;
}

void ToProto(const JobRecord& job, v1::Job* out) {
    const auto& s = job.spec;
    out->set_job_id(job.job_id);
    out->set_client_id(job.client_id);
    out->set_title(s.title);
    out->set_description(s.description);
    SetStrings(s.stack, out->mutable_stack());
    out->set_budget_type(v1::BUDGET_TYPE_FIXED);
    wire::ToProto(s.budget_min, out->mutable_budget_min());
    wire::ToProto(s.budget_max, out->mutable_budget_max());
    out->set_currency(std::string(s.currency().code()));
    out->set_nda_required(s.nda_required);
    out->set_ip_assignment(s.ip_assignment);
    out->set_repo_url(s.repo_url);
    out->set_template_id(s.template_id);
    if (const auto* tmpl = s.template_id.empty() ? nullptr : FindTemplate(s.template_id)) {
        for (const auto& m : SuggestMilestones(*tmpl, s.budget_max)) {
            auto* sm = out->add_suggested_milestones();
            sm->set_title(m.title);
            sm->set_description(m.description);
            wire::ToProto(m.amount, sm->mutable_amount());
            sm->set_suggested_days(m.suggested_days);
            SetStrings(m.deliverables, sm->mutable_deliverables());
            SetStrings(m.definition_of_done, sm->mutable_definition_of_done());
        }
    }
    out->set_status(ToProto(job.status));
    out->set_accepted_proposal_id(job.accepted_proposal_id);
    wire::TimestampFromMicros(job.created_micros, out->mutable_created_at());
    wire::TimestampFromMicros(job.updated_micros, out->mutable_updated_at());
}

void ToProto(const ProposalRecord& p, v1::Proposal* out) {
    out->set_proposal_id(p.proposal_id);
    out->set_job_id(p.job_id);
    out->set_freelancer_id(p.freelancer_id);
    out->set_cover_letter(p.plan.cover_letter);
    for (const auto& m : p.plan.milestones) {
        auto* pm = out->add_milestones();
        pm->set_title(m.title);
        pm->set_description(m.description);
        wire::ToProto(m.amount, pm->mutable_amount());
        wire::ToProto(m.due_date, pm->mutable_due_date());
        SetStrings(m.definition_of_done, pm->mutable_definition_of_done());
    }
    wire::ToProto(p.plan.total, out->mutable_total());
    out->set_delivery_days(p.plan.delivery_days);
    out->set_status(ToProto(p.status));
    wire::TimestampFromMicros(p.created_micros, out->mutable_created_at());
    wire::TimestampFromMicros(p.updated_micros, out->mutable_updated_at());
}

void ToProto(const InviteRecord& i, v1::Invite* out) {
    out->set_invite_id(i.invite_id);
    out->set_job_id(i.job_id);
    out->set_job_title(i.job_title);
    out->set_client_id(i.client_id);
    out->set_freelancer_id(i.freelancer_id);
    out->set_message(i.message);
    wire::TimestampFromMicros(i.created_micros, out->mutable_created_at());
}

void ToProto(const ProjectTemplate& t, v1::ProjectTemplate* out) {
    out->set_template_id(t.id);
    out->set_name(t.name);
    out->set_summary(t.summary);
    SetStrings(t.suggested_stack, out->mutable_suggested_stack());
    for (const auto& m : t.milestones) {
        auto* tm = out->add_milestones();
        tm->set_title(m.title);
        tm->set_description(m.description);
        tm->set_budget_share_bps(m.budget_share_bps);
        tm->set_suggested_days(m.suggested_days);
        SetStrings(m.deliverables, tm->mutable_deliverables());
        SetStrings(m.definition_of_done, tm->mutable_definition_of_done());
    }
}

}  // namespace marketplace::jobs
