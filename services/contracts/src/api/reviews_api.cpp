#include <pqxx/pqxx>

#include "api/contracts_api.hpp"
#include "api/convert.hpp"
#include "app/party.hpp"
#include "domain/review.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "storage/review_store.hpp"

namespace marketplace::contracts::api {

grpc::Status ContractsApi::LeaveReview(grpc::ServerContext* context, const v1::LeaveReviewRequest* request,
                                       v1::LeaveReviewResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        const auto idem = rpc::IdempotentCall::From(scope);
        core::RequireUuid(request->milestone_id(), "milestone_id");
        const ReviewInput input{request->quality(), request->communication(), request->timeliness(), request->text()};
        ValidateReview(input);
        *response = db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            return runtime_.idempotency().Run<v1::LeaveReviewResponse>(tx, idem, *request, [&] {
                const auto ctx = storage::FindMilestoneContext(tx, request->milestone_id(), storage::Lock::kNone);
                if (!ctx) throw core::NotFound("milestone not found");
                const Actor reviewer = RequireActor(
                    PartyOf(tx, claims.subject, claims.role, ctx->client_id, ctx->freelancer_id, ctx->clan_id));
                RequireReviewable(ctx->milestone.saga.state);  // paid is final: no lock needed
                storage::ReviewRecord review;
                review.id = core::NewUuidV7();
                review.contract_id = ctx->milestone.contract_id;
                review.milestone_id = ctx->milestone.id;
                review.reviewer_id = claims.subject;
                review.reviewee_id = reviewer == Actor::kClient ? ctx->freelancer_id : ctx->client_id;
                review.reviewer_role = reviewer;
                review.input = input;
                review.created_at = runtime_.clock()->Now();
                if (!storage::InsertReview(tx, review)) {
                    throw core::Conflict("you already reviewed this milestone");
                }
                v1::LeaveReviewResponse r;
                ToProto(review, r.mutable_review());
                return r;
            });
        });
    });
}

grpc::Status ContractsApi::ListReviews(grpc::ServerContext* context, const v1::ListReviewsRequest* request,
                                       v1::ListReviewsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        const bool by_contract = !request->contract_id().empty();
        if (by_contract == !request->reviewee_id().empty()) {
            throw core::InvalidArgument(by_contract ? "reviewee_id" : "contract_id",
                                        "give exactly one of contract_id and reviewee_id");
        }
        if (by_contract) {
            core::RequireUuid(request->contract_id(), "contract_id");
        } else {
            core::RequireUuid(request->reviewee_id(), "reviewee_id");
        }
        const int page_size = PageSize(request->page_size());
        std::optional<storage::Cursor> after;
        if (!request->page_token().empty()) after = storage::ParseCursor(request->page_token());
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            if (by_contract) {
                const auto contract = storage::FindContract(tx, request->contract_id());
                if (!contract) throw core::NotFound("contract not found");
                RequireCanRead(PartyOf(tx, claims.subject, claims.role, contract->terms.client_id,
                                       contract->terms.freelancer_id, contract->terms.clan_id),
                               "contract");
            }
            auto reviews =
                storage::ListReviews(tx, request->contract_id(), request->reviewee_id(), after, page_size + 1);
            const bool more = static_cast<int>(reviews.size()) > page_size;
            if (more) reviews.resize(page_size);
            for (const auto& r : reviews) ToProto(r, response->add_reviews());
            if (more) response->set_next_page_token(storage::FormatCursor(storage::CursorOf(reviews.back())));
        });
    });
}

}  // namespace marketplace::contracts::api
