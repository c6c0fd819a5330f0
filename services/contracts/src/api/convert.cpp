#include "api/convert.hpp"

namespace marketplace::contracts::api {

v1::MilestoneState ToProto(MilestoneState state) {
    switch (state) {
        case MilestoneState::kFundingRequired:
            return v1::MILESTONE_STATE_FUNDING_REQUIRED;
        case MilestoneState::kFundingPending:
            return v1::MILESTONE_STATE_FUNDING_PENDING;
        case MilestoneState::kFunded:
            return v1::MILESTONE_STATE_FUNDED;
        case MilestoneState::kSubmitted:
            return v1::MILESTONE_STATE_SUBMITTED;
        case MilestoneState::kChangesRequested:
            return v1::MILESTONE_STATE_CHANGES_REQUESTED;
        case MilestoneState::kAccepted:
            return v1::MILESTONE_STATE_ACCEPTED;
        case MilestoneState::kPaid:
            return v1::MILESTONE_STATE_PAID;
        case MilestoneState::kCancelPending:
            return v1::MILESTONE_STATE_CANCEL_PENDING;
        case MilestoneState::kCancelled:
            return v1::MILESTONE_STATE_CANCELLED;
        case MilestoneState::kDisputed:
            return v1::MILESTONE_STATE_DISPUTED;
        case MilestoneState::kRefunded:
            return v1::MILESTONE_STATE_REFUNDED;
        case MilestoneState::kSplitPaid:
            return v1::MILESTONE_STATE_SPLIT_PAID;
    }
    return v1::MILESTONE_STATE_UNSPECIFIED;
}

v1::PartyRole ToProtoRole(Actor party) {
    switch (party) {
        case Actor::kClient:
            return v1::PARTY_ROLE_CLIENT;
        case Actor::kFreelancer:
            return v1::PARTY_ROLE_FREELANCER;
        case Actor::kSystem:
            break;
    }
    return v1::PARTY_ROLE_UNSPECIFIED;
}

v1::PartyRole ToProtoRole(Viewer viewer) {
    switch (viewer) {
        case Viewer::kClient:
            return v1::PARTY_ROLE_CLIENT;
        case Viewer::kFreelancer:
            return v1::PARTY_ROLE_FREELANCER;
        case Viewer::kClanMember:
        case Viewer::kAdmin:
        case Viewer::kStranger:
            break;
    }
    return v1::PARTY_ROLE_UNSPECIFIED;
}

void ToProto(const storage::MilestoneRecord& m, v1::Milestone* out) {
    out->set_milestone_id(m.id);
    out->set_contract_id(m.contract_id);
    out->set_position(m.position);
    out->set_title(m.plan.title);
    out->set_description(m.plan.description);
    ToProto(m.plan.amount, out->mutable_amount());
    if (m.plan.due_date) ToProto(*m.plan.due_date, out->mutable_due_date());
    for (const auto& item : m.plan.definition_of_done) out->add_definition_of_done(item);
    const auto& s = m.saga;
    out->set_state(ToProto(s.state));
    out->set_funding_attempt(s.funding_attempt);
    out->set_funding_failure_reason(s.funding_failure_reason);
    out->set_submission_note(s.submission_note);
    for (const auto& link : s.submission_links) out->add_submission_links(link);
    out->set_submission_count(s.submission_count);
    if (s.submitted_at) ToProto(*s.submitted_at, out->mutable_submitted_at());
    if (s.auto_release_at) ToProto(*s.auto_release_at, out->mutable_auto_release_at());
    out->set_change_request_feedback(s.change_request_feedback);
    if (s.accepted_at) ToProto(*s.accepted_at, out->mutable_accepted_at());
    out->set_auto_released(s.auto_released);
    if (s.paid_at) ToProto(*s.paid_at, out->mutable_paid_at());
    if (s.cancelled_at) ToProto(*s.cancelled_at, out->mutable_cancelled_at());
    out->set_refunded(s.refunded);
    out->set_dispute_id(s.dispute_id);
}

void ToProto(const storage::SignatureRecord& s, v1::Signature* out) {
    out->set_signer_id(s.signer_id);
    out->set_role(ToProtoRole(s.party));
    out->set_content_hash(s.content_hash);
    ToProto(s.signed_at, out->mutable_signed_at());
}

void ToProto(const storage::ContractRecord& c, const std::vector<storage::SignatureRecord>& signatures,
             const std::vector<storage::MilestoneRecord>& milestones, v1::Contract* out) {
    const auto& t = c.terms;
    out->set_contract_id(t.contract_id);
    out->set_proposal_id(t.proposal_id);
    out->set_job_id(t.job_id);
    out->set_client_id(t.client_id);
    out->set_freelancer_id(t.freelancer_id);
    out->set_clan_id(t.clan_id);
    out->set_title(t.title);
    out->set_scope(t.scope);
    for (const auto& s : t.stack) out->add_stack(s);
    out->set_nda_required(t.nda_required);
    out->set_ip_assignment(t.ip_assignment);
    ToProto(t.total, out->mutable_total());
    out->set_delivery_days(t.delivery_days);
    out->set_review_period_seconds(t.review_period.count());
    std::vector<MilestoneState> states;
    for (const auto& m : milestones) {
        states.push_back(m.saga.state);
        ToProto(m, out->add_milestones());
    }
    const bool signed_by_both = storage::FullySigned(signatures);
    switch (DeriveStatus(signed_by_both, states)) {
        case ContractStatus::kAwaitingSignatures:
            out->set_status(v1::CONTRACT_STATUS_AWAITING_SIGNATURES);
            break;
        case ContractStatus::kActive:
            out->set_status(v1::CONTRACT_STATUS_ACTIVE);
            break;
        case ContractStatus::kCompleted:
            out->set_status(v1::CONTRACT_STATUS_COMPLETED);
            break;
    }
    out->set_statement_of_work_hash(c.statement.content_hash);
    for (const auto& s : signatures) ToProto(s, out->add_signatures());
    ToProto(c.created_at, out->mutable_created_at());
}

void ToProto(const storage::ContractRecord& c, const std::vector<storage::SignatureRecord>& signatures,
             v1::StatementOfWork* out) {
    out->set_contract_id(c.terms.contract_id);
    out->set_text(c.statement.text);
    out->set_content_hash(c.statement.content_hash);
    for (const auto& s : signatures) ToProto(s, out->add_signatures());
    out->set_fully_signed(storage::FullySigned(signatures));
}

void ToProto(const storage::ReviewRecord& r, v1::Review* out) {
    out->set_review_id(r.id);
    out->set_contract_id(r.contract_id);
    out->set_milestone_id(r.milestone_id);
    out->set_reviewer_id(r.reviewer_id);
    out->set_reviewee_id(r.reviewee_id);
    out->set_reviewer_role(ToProtoRole(r.reviewer_role));
    out->set_quality(r.input.quality);
    out->set_communication(r.input.communication);
    out->set_timeliness(r.input.timeliness);
    out->set_text(r.input.text);
    ToProto(r.created_at, out->mutable_created_at());
}

}  // namespace marketplace::contracts::api
