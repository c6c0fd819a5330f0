#include "api/disputes_api.hpp"

#include <pqxx/pqxx>

#include "domain/split.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/micros.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/mutate.hpp"
#include "marketplace/wire/values.hpp"

namespace marketplace::disputes::api {
namespace {

constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 100;

v1::Stage StageOf(Stage s) {
    switch (s) {
        case Stage::kOpening:
            return v1::STAGE_OPENING;
        case Stage::kResponse:
            return v1::STAGE_RESPONSE;
        case Stage::kNegotiation:
            return v1::STAGE_NEGOTIATION;
        case Stage::kMediation:
            return v1::STAGE_MEDIATION;
        case Stage::kExpertReview:
            return v1::STAGE_EXPERT_REVIEW;
        case Stage::kAdminDecision:
            return v1::STAGE_ADMIN_DECISION;
        case Stage::kResolved:
            return v1::STAGE_RESOLVED;
        case Stage::kWithdrawn:
            return v1::STAGE_WITHDRAWN;
        case Stage::kRefused:
            return v1::STAGE_REFUSED;
    }
    return v1::STAGE_UNSPECIFIED;
}

std::optional<Stage> StageFrom(v1::Stage s) {
    for (const Stage stage : kAllStages) {
        if (StageOf(stage) == s) return stage;
    }
    return std::nullopt;
}

v1::Outcome OutcomeOf(OutcomeKind o) {
    switch (o) {
        case OutcomeKind::kRelease:
            return v1::OUTCOME_RELEASE;
        case OutcomeKind::kRefund:
            return v1::OUTCOME_REFUND;
        case OutcomeKind::kSplit:
            return v1::OUTCOME_SPLIT;
    }
    return v1::OUTCOME_UNSPECIFIED;
}

v1::Side SideOf(Side s) { return s == Side::kClient ? v1::SIDE_CLIENT : v1::SIDE_FREELANCER; }

std::string ReasonName(v1::ReasonCode code) {
    switch (code) {
        case v1::REASON_CODE_NOT_DELIVERED:
            return "not_delivered";
        case v1::REASON_CODE_QUALITY:
            return "quality";
        case v1::REASON_CODE_SCOPE:
            return "scope";
        case v1::REASON_CODE_UNRESPONSIVE:
            return "unresponsive";
        case v1::REASON_CODE_OTHER:
            return "other";
        default:
            return "";
    }
}

v1::ReasonCode ReasonOf(const std::string& name) {
    for (int c = v1::ReasonCode_MIN; c <= v1::ReasonCode_MAX; ++c) {
        if (v1::ReasonCode_IsValid(c) && ReasonName(static_cast<v1::ReasonCode>(c)) == name) {
            return static_cast<v1::ReasonCode>(c);
        }
    }
    return v1::REASON_CODE_UNSPECIFIED;
}

std::string EvidenceKindName(v1::EvidenceKind kind) {
    switch (kind) {
        case v1::EVIDENCE_KIND_MESSAGE:
            return "message";
        case v1::EVIDENCE_KIND_FILE:
            return "file";
        case v1::EVIDENCE_KIND_PULL_REQUEST:
            return "pull_request";
        case v1::EVIDENCE_KIND_CI_RUN:
            return "ci_run";
        case v1::EVIDENCE_KIND_PREVIEW_LINK:
            return "preview_link";
        case v1::EVIDENCE_KIND_OTHER:
            return "other";
        default:
            return "";
    }
}

v1::EvidenceKind EvidenceKindOf(const std::string& name) {
    for (int c = v1::EvidenceKind_MIN; c <= v1::EvidenceKind_MAX; ++c) {
        if (v1::EvidenceKind_IsValid(c) && EvidenceKindName(static_cast<v1::EvidenceKind>(c)) == name) {
            return static_cast<v1::EvidenceKind>(c);
        }
    }
    return v1::EVIDENCE_KIND_UNSPECIFIED;
}

void OfferToProto(const Offer& o, const Dispute& d, v1::Offer* out) {
    out->set_made_by(o.made_by);
    if (o.side) out->set_side(SideOf(*o.side));
    out->set_release_bps(o.release_bps);
    *out->mutable_released() = wire::ProtoMoney(SplitByBps(d.escrow, o.release_bps).released, d.currency);
    wire::ToProto(o.made_at, out->mutable_made_at());
}

void EvidenceToProto(const storage::EvidenceRecord& e, v1::Evidence* out) {
    out->set_evidence_id(e.id);
    out->set_added_by(e.added_by);
    out->set_kind(EvidenceKindOf(e.kind));
    out->set_reference(e.reference);
    out->set_note(e.note);
    out->set_sha256(e.sha256);
    wire::ToProto(e.added_at, out->mutable_added_at());
}

void ToProto(const storage::DisputeRecord& rec, const std::vector<storage::EvidenceRecord>& evidence,
             v1::Dispute* out) {
    const Dispute& d = rec.dispute;
    out->set_dispute_id(d.id);
    out->set_milestone_id(d.milestone_id);
    out->set_contract_id(d.contract_id);
    out->set_client_id(d.client_id);
    out->set_freelancer_id(d.freelancer_id);
    out->set_opened_by(d.opened_by);
    out->set_opener_side(SideOf(d.opener));
    out->set_reason_code(ReasonOf(rec.reason_code));
    out->set_statement(rec.statement);
    *out->mutable_escrow() = wire::ProtoMoney(d.escrow, d.currency);
    *out->mutable_amount_asked() = wire::ProtoMoney(d.amount_asked, d.currency);
    out->set_stage(StageOf(d.stage));
    if (d.due_at && !IsTerminal(d.stage)) wire::ToProto(*d.due_at, out->mutable_due_at());
    out->set_default_at_due(DefaultAtDue(d));
    if (d.client_offer) OfferToProto(*d.client_offer, d, out->add_offers());
    if (d.freelancer_offer) OfferToProto(*d.freelancer_offer, d, out->add_offers());
    if (d.proposal) OfferToProto(*d.proposal, d, out->mutable_proposal());
    out->set_client_accepted_proposal(d.client_accepted_proposal);
    out->set_freelancer_accepted_proposal(d.freelancer_accepted_proposal);
    out->set_expert_requested(d.expert_requested);
    if (d.recommendation) OfferToProto(*d.recommendation, d, out->mutable_recommendation());
    out->set_expert_report(d.expert_report);
    for (const auto& e : evidence) EvidenceToProto(e, out->add_evidence());
    out->set_evidence_open(EvidenceOpen(d.stage));
    if (d.resolution) {
        const auto& r = *d.resolution;
        auto* res = out->mutable_resolution();
        res->set_outcome(OutcomeOf(r.outcome));
        *res->mutable_released() = wire::ProtoMoney(r.released, d.currency);
        *res->mutable_refunded() = wire::ProtoMoney(r.refunded, d.currency);
        res->set_release_bps(r.release_bps);
        res->set_decided_by(r.decided_by);
        res->set_rung(StageOf(r.rung));
        wire::ToProto(r.resolved_at, res->mutable_resolved_at());
        res->set_settled(d.settled);
    }
    out->set_refusal_reason(d.refusal_reason);
    wire::ToProto(rec.opened_at, out->mutable_opened_at());
    out->set_mediator_id(d.mediator_id);
    out->set_expert_id(d.expert_id);
}

Caller CallerOf(const rpc::CallScope& scope) {
    const auto claims = scope.RequireClaims();
    return Caller{claims.subject, claims.role};
}

std::string PageToken(const storage::DisputeRecord& r) {
    return std::to_string(core::MicrosSinceEpoch(r.opened_at)) + "_" + r.dispute.id;
}

std::pair<std::int64_t, std::string> ParsePageToken(const std::string& token) {
    const auto sep = token.find('_');
    try {
        if (sep != std::string::npos && core::IsUuid(token.substr(sep + 1))) {
            return {std::stoll(token.substr(0, sep)), token.substr(sep + 1)};
        }
    } catch (const std::exception&) {
    }
    throw core::InvalidArgument("page_token", "is not a token this service returned");
}

}  // namespace

Caller DisputesApi::CallerFor(rpc::CallScope& scope, const std::string& dispute_id) {
    Caller caller = CallerOf(scope);
    if (IsStaff(caller.role) || !core::IsUuid(dispute_id)) return caller;
    const auto rec =
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { return storage::FindDispute(tx, dispute_id, false); });
    if (!rec) return caller;
    const Dispute& d = rec->dispute;
    if (caller.subject == d.client_id || caller.subject == d.freelancer_id) return caller;
    if (flows_.contracts().CallerRole(d.contract_id, scope.bearer_token()) == contracts::v1::PARTY_ROLE_FREELANCER) {
        caller.acts_for = d.freelancer_id;
    }
    return caller;
}

template <typename Response, typename Request>
grpc::Status DisputesApi::Command(grpc::ServerContext* context, const Request& request, Response* response,
                                  const disputes::Command& command) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request.dispute_id(), "dispute_id");
        const Caller caller = CallerFor(scope, request.dispute_id());
        *response = service::Mutate<Response>(runtime_, idem, request, [&](pqxx::work& tx) {
            const auto rec = flows_.Act(tx, request.dispute_id(), command, caller);
            Response r;
            ToProto(rec, storage::ListEvidence(tx, rec.dispute.id), r.mutable_dispute());
            return r;
        });
    });
}

grpc::Status DisputesApi::OpenDispute(grpc::ServerContext* context, const v1::OpenDisputeRequest* request,
                                      v1::OpenDisputeResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Caller caller = CallerOf(scope);
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request->milestone_id(), "milestone_id");
        OpenRequest open{request->milestone_id(), ReasonName(request->reason_code()), request->statement(),
                         request->amount_asked().minor_units(), request->amount_asked().currency()};
        // The milestone and its parties, as contracts shows them to this caller (outside the transaction).
        const MilestoneFacts facts = flows_.contracts().Milestone(request->milestone_id(), scope.bearer_token());
        *response = service::Mutate<v1::OpenDisputeResponse>(runtime_, idem, *request, [&](pqxx::work& tx) {
            const auto rec = flows_.Open(tx, caller, open, facts);
            v1::OpenDisputeResponse r;
            ToProto(rec, {}, r.mutable_dispute());
            return r;
        });
    });
}

grpc::Status DisputesApi::GetDispute(grpc::ServerContext* context, const v1::GetDisputeRequest* request,
                                     v1::GetDisputeResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        core::RequireUuid(request->dispute_id(), "dispute_id");
        const Caller caller = CallerFor(scope, request->dispute_id());
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            const auto rec = flows_.View(tx, request->dispute_id(), caller);
            ToProto(rec, storage::ListEvidence(tx, rec.dispute.id), response->mutable_dispute());
        });
    });
}

grpc::Status DisputesApi::ListDisputes(grpc::ServerContext* context, const v1::ListDisputesRequest* request,
                                       v1::ListDisputesResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Caller caller = CallerOf(scope);
        storage::ListFilter filter;
        if (request->page_size() < 0 || request->page_size() > kMaxPageSize) {
            throw core::InvalidArgument("page_size", "must be between 1 and " + std::to_string(kMaxPageSize));
        }
        filter.limit = request->page_size() == 0 ? kDefaultPageSize : request->page_size();
        if (!IsStaff(caller.role)) filter.party_id = caller.subject;  // a party sees only their own
        if (!request->milestone_id().empty()) {
            core::RequireUuid(request->milestone_id(), "milestone_id");
            filter.milestone_id = request->milestone_id();
        }
        if (request->stage() != v1::STAGE_UNSPECIFIED) {
            const auto stage = StageFrom(request->stage());
            if (!stage) throw core::InvalidArgument("stage", "is not a known stage");
            filter.stage = std::string(StageName(*stage));
        }
        if (!request->page_token().empty()) filter.after = ParsePageToken(request->page_token());
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            const auto rows = storage::ListDisputes(tx, filter);
            for (const auto& rec : rows) ToProto(rec, {}, response->add_disputes());
            if (static_cast<int>(rows.size()) == filter.limit) response->set_next_page_token(PageToken(rows.back()));
        });
    });
}

grpc::Status DisputesApi::RespondToDispute(grpc::ServerContext* context, const v1::RespondToDisputeRequest* request,
                                           v1::RespondToDisputeResponse* response) {
    command::Respond c;
    switch (request->answer()) {
        case v1::ANSWER_ACCEPT:
            c.answer = command::Answer::kAccept;
            break;
        case v1::ANSWER_COUNTER:
            c.answer = command::Answer::kCounter;
            c.counter_bps = request->counter_release_bps();
            break;
        case v1::ANSWER_CONTEST:
            c.answer = command::Answer::kContest;
            break;
        default:
            break;  // refused by the domain after the caller's rights are checked
    }
    return Command(context, *request, response, c);
}

grpc::Status DisputesApi::MakeOffer(grpc::ServerContext* context, const v1::MakeOfferRequest* request,
                                    v1::MakeOfferResponse* response) {
    return Command(context, *request, response, command::MakeOffer{request->release_bps()});
}

grpc::Status DisputesApi::AcceptOffer(grpc::ServerContext* context, const v1::AcceptOfferRequest* request,
                                      v1::AcceptOfferResponse* response) {
    return Command(context, *request, response, command::AcceptOffer{request->release_bps()});
}

grpc::Status DisputesApi::ProposeSplit(grpc::ServerContext* context, const v1::ProposeSplitRequest* request,
                                       v1::ProposeSplitResponse* response) {
    return Command(context, *request, response, command::Propose{request->release_bps()});
}

grpc::Status DisputesApi::AcceptSplitProposal(grpc::ServerContext* context,
                                              const v1::AcceptSplitProposalRequest* request,
                                              v1::AcceptSplitProposalResponse* response) {
    return Command(context, *request, response, command::AcceptProposal{request->release_bps()});
}

grpc::Status DisputesApi::RequestExpertReview(grpc::ServerContext* context,
                                              const v1::RequestExpertReviewRequest* request,
                                              v1::RequestExpertReviewResponse* response) {
    return Command(context, *request, response, command::RequestExpert{});
}

grpc::Status DisputesApi::SubmitRecommendation(grpc::ServerContext* context,
                                               const v1::SubmitRecommendationRequest* request,
                                               v1::SubmitRecommendationResponse* response) {
    return Command(context, *request, response, command::Recommend{request->release_bps(), request->report()});
}

grpc::Status DisputesApi::DecideDispute(grpc::ServerContext* context, const v1::DecideDisputeRequest* request,
                                        v1::DecideDisputeResponse* response) {
    command::Decide c;
    switch (request->outcome()) {
        case v1::OUTCOME_RELEASE:
            c.outcome = OutcomeKind::kRelease;
            break;
        case v1::OUTCOME_REFUND:
            c.outcome = OutcomeKind::kRefund;
            break;
        case v1::OUTCOME_SPLIT:
            c.outcome = OutcomeKind::kSplit;
            c.release_bps = request->release_bps();
            break;
        default:
            break;  // refused by the domain after the caller's rights are checked
    }
    return Command(context, *request, response, c);
}

grpc::Status DisputesApi::WithdrawDispute(grpc::ServerContext* context, const v1::WithdrawDisputeRequest* request,
                                          v1::WithdrawDisputeResponse* response) {
    return Command(context, *request, response, command::Withdraw{});
}

grpc::Status DisputesApi::AddEvidence(grpc::ServerContext* context, const v1::AddEvidenceRequest* request,
                                      v1::AddEvidenceResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request->dispute_id(), "dispute_id");
        const Caller caller = CallerFor(scope, request->dispute_id());
        const EvidenceInput in{EvidenceKindName(request->kind()), request->reference(), request->note(),
                               request->sha256()};
        *response = service::Mutate<v1::AddEvidenceResponse>(runtime_, idem, *request, [&](pqxx::work& tx) {
            const auto e = flows_.AddEvidence(tx, request->dispute_id(), in, caller);
            v1::AddEvidenceResponse r;
            EvidenceToProto(e, r.mutable_evidence());
            return r;
        });
    });
}

grpc::Status DisputesApi::ListDisputeSteps(grpc::ServerContext* context, const v1::ListDisputeStepsRequest* request,
                                           v1::ListDisputeStepsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const Caller caller = CallerOf(scope);
        if (!IsStaff(caller.role)) throw core::PermissionDenied("only staff may read a dispute's step log");
        core::RequireUuid(request->dispute_id(), "dispute_id");
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            const auto rec = storage::FindDispute(tx, request->dispute_id(), false);
            if (!rec) throw core::NotFound("dispute not found");
            response->set_dispute_id(rec->dispute.id);
            response->set_milestone_id(rec->dispute.milestone_id);
            for (const auto& s : storage::ListSteps(tx, rec->dispute.id)) {
                auto* step = response->add_steps();
                step->set_seq(s.seq);
                step->set_step(s.step);
                step->set_stage(s.stage);
                step->set_actor(s.actor);
                step->set_summary(s.summary);
                wire::ToProto(s.at, step->mutable_at());
            }
        });
    });
}

}  // namespace marketplace::disputes::api
