#include "dispute_story.hpp"

#include <stdexcept>
#include <thread>

namespace marketplace::e2e {
namespace {

template <typename Request, typename Response, typename Call>
grpc::Status Run(const User& user, const Request& req, Call call) {
    Response resp;
    auto ctx = MoneyStack::Context(user, MoneyStack::NewKey());
    return (S().disputes().*call)(ctx.get(), req, &resp);
}

}  // namespace

grpc::Status OpenDispute(const User& opener, const std::string& milestone, std::int64_t asked, dv1::Dispute* out,
                         const std::string& key) {
    dv1::OpenDisputeRequest req;
    req.set_milestone_id(milestone);
    req.set_reason_code(dv1::REASON_CODE_QUALITY);
    req.set_statement("The delivery does not meet the definition of done.");
    *req.mutable_amount_asked() = Eur(asked);
    dv1::OpenDisputeResponse resp;
    auto ctx = MoneyStack::Context(opener, key);
    const auto status = S().disputes().OpenDispute(ctx.get(), req, &resp);
    if (status.ok() && out != nullptr) *out = resp.dispute();
    return status;
}

dv1::Dispute GetDispute(const User& user, const std::string& dispute_id) {
    dv1::GetDisputeRequest req;
    req.set_dispute_id(dispute_id);
    dv1::GetDisputeResponse resp;
    Ok(S().disputes().GetDispute(MoneyStack::Context(user).get(), req, &resp), "get dispute " + dispute_id);
    return resp.dispute();
}

namespace {

dv1::Dispute WaitFor(const User& user, const std::string& id, const std::function<bool(const dv1::Dispute&)>& done,
                     const std::string& what) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    dv1::Dispute d;
    while (std::chrono::steady_clock::now() < until) {
        d = GetDispute(user, id);
        if (done(d)) return d;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("dispute " + id + " never " + what + "; it is " + dv1::Stage_Name(d.stage()) + "\n" +
                             S().Logs());
}

}  // namespace

dv1::Dispute WaitStage(const User& user, const std::string& dispute_id, dv1::Stage stage) {
    return WaitFor(
        user, dispute_id, [&](const dv1::Dispute& d) { return d.stage() == stage; },
        "reached " + dv1::Stage_Name(stage));
}

dv1::Dispute WaitSettled(const User& user, const std::string& dispute_id) {
    return WaitFor(
        user, dispute_id, [](const dv1::Dispute& d) { return d.resolution().settled(); }, "was settled");
}

grpc::Status Respond(const User& user, const std::string& id, dv1::Answer answer, int counter_bps) {
    dv1::RespondToDisputeRequest req;
    req.set_dispute_id(id);
    req.set_answer(answer);
    req.set_counter_release_bps(counter_bps);
    return Run<dv1::RespondToDisputeRequest, dv1::RespondToDisputeResponse>(
        user, req, &dv1::DisputesService::Stub::RespondToDispute);
}

grpc::Status Offer(const User& user, const std::string& id, int bps) {
    dv1::MakeOfferRequest req;
    req.set_dispute_id(id);
    req.set_release_bps(bps);
    return Run<dv1::MakeOfferRequest, dv1::MakeOfferResponse>(user, req, &dv1::DisputesService::Stub::MakeOffer);
}

grpc::Status AcceptOffer(const User& user, const std::string& id, int bps) {
    dv1::AcceptOfferRequest req;
    req.set_dispute_id(id);
    req.set_release_bps(bps);
    return Run<dv1::AcceptOfferRequest, dv1::AcceptOfferResponse>(user, req, &dv1::DisputesService::Stub::AcceptOffer);
}

grpc::Status Propose(const User& mediator, const std::string& id, int bps) {
    dv1::ProposeSplitRequest req;
    req.set_dispute_id(id);
    req.set_release_bps(bps);
    req.set_note("Half of the deliverables meet the definition of done.");
    return Run<dv1::ProposeSplitRequest, dv1::ProposeSplitResponse>(mediator, req,
                                                                    &dv1::DisputesService::Stub::ProposeSplit);
}

grpc::Status AcceptProposal(const User& user, const std::string& id, int bps) {
    dv1::AcceptSplitProposalRequest req;
    req.set_dispute_id(id);
    req.set_release_bps(bps);
    return Run<dv1::AcceptSplitProposalRequest, dv1::AcceptSplitProposalResponse>(
        user, req, &dv1::DisputesService::Stub::AcceptSplitProposal);
}

grpc::Status RequestExpert(const User& user, const std::string& id) {
    dv1::RequestExpertReviewRequest req;
    req.set_dispute_id(id);
    return Run<dv1::RequestExpertReviewRequest, dv1::RequestExpertReviewResponse>(
        user, req, &dv1::DisputesService::Stub::RequestExpertReview);
}

grpc::Status Recommend(const User& expert, const std::string& id, int bps, const std::string& report) {
    dv1::SubmitRecommendationRequest req;
    req.set_dispute_id(id);
    req.set_release_bps(bps);
    req.set_report(report);
    return Run<dv1::SubmitRecommendationRequest, dv1::SubmitRecommendationResponse>(
        expert, req, &dv1::DisputesService::Stub::SubmitRecommendation);
}

grpc::Status Decide(const User& admin, const std::string& id, dv1::Outcome outcome, int bps) {
    dv1::DecideDisputeRequest req;
    req.set_dispute_id(id);
    req.set_outcome(outcome);
    req.set_release_bps(bps);
    req.set_note("Decided on the evidence.");
    return Run<dv1::DecideDisputeRequest, dv1::DecideDisputeResponse>(admin, req,
                                                                      &dv1::DisputesService::Stub::DecideDispute);
}

grpc::Status Withdraw(const User& user, const std::string& id) {
    dv1::WithdrawDisputeRequest req;
    req.set_dispute_id(id);
    return Run<dv1::WithdrawDisputeRequest, dv1::WithdrawDisputeResponse>(user, req,
                                                                          &dv1::DisputesService::Stub::WithdrawDispute);
}

grpc::Status AddEvidence(const User& user, const std::string& id, dv1::EvidenceKind kind, const std::string& reference,
                         const std::string& note, const std::string& sha256) {
    dv1::AddEvidenceRequest req;
    req.set_dispute_id(id);
    req.set_kind(kind);
    req.set_reference(reference);
    req.set_note(note);
    req.set_sha256(sha256);
    return Run<dv1::AddEvidenceRequest, dv1::AddEvidenceResponse>(user, req, &dv1::DisputesService::Stub::AddEvidence);
}

void PassDeadline(const dv1::Dispute& d, std::initializer_list<User*> relogin) {
    if (!d.has_due_at()) throw std::logic_error("dispute " + d.dispute_id() + " has no deadline");
    const auto due = std::chrono::system_clock::time_point(std::chrono::seconds(d.due_at().seconds()));
    const auto services_now = std::chrono::system_clock::now() + S().clock_offset();
    S().AdvanceClock(std::chrono::duration_cast<std::chrono::seconds>(due - services_now) + std::chrono::minutes(1));
    for (User* u : relogin) S().Relogin(*u);
}

std::int64_t FeeOn(std::int64_t released) { return released / 10; }

}  // namespace marketplace::e2e
