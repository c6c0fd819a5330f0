#include "api/notifications_api.hpp"

#include <google/protobuf/util/time_util.h>

#include <pqxx/pqxx>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/forwarding.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/mutate.hpp"
#include "marketplace/wire/values.hpp"
#include "storage/notification_store.hpp"

namespace marketplace::notifications::api {
namespace {

/// How often a waiting stream checks whether its caller went away (the sync API has no callback).
constexpr std::chrono::milliseconds kCancelCheck{200};
/// How often a waiting stream checks that its token is still valid (expiry, revoked sessions).
constexpr std::chrono::milliseconds kTokenCheck{1000};

void ToProto(const storage::NotificationRecord& r, v1::Notification* out) {
    out->set_notification_id(r.id);
    out->set_sequence(r.sequence);
    out->set_kind(r.kind);
    out->set_title(r.title);
    out->set_contract_id(r.contract_id);
    out->set_milestone_id(r.milestone_id);
    out->set_source_event_id(r.source_event_id);
    wire::ToProto(r.created_at, out->mutable_created_at());
    if (r.read_at) wire::ToProto(*r.read_at, out->mutable_read_at());
}

}  // namespace

int PageSize(int requested) {
    if (requested < 0 || requested > kMaxPageSize) {
        throw core::InvalidArgument("page_size", "must be between 0 and " + std::to_string(kMaxPageSize));
    }
    return requested == 0 ? kDefaultPageSize : requested;
}

grpc::Status NotificationsApi::ListNotifications(grpc::ServerContext* context,
                                                 const v1::ListNotificationsRequest* request,
                                                 v1::ListNotificationsResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        const int page_size = PageSize(request->page_size());
        if (request->before_sequence() < 0) throw core::InvalidArgument("before_sequence", "must be >= 0");
        db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
            response->Clear();
            for (const auto& r : storage::ListNewestFirst(tx, claims.subject, request->before_sequence(),
                                                          request->unread_only(), page_size)) {
                ToProto(r, response->add_notifications());
            }
            response->set_unread_count(storage::UnreadCount(tx, claims.subject));
        });
    });
}

grpc::Status NotificationsApi::MarkNotificationRead(grpc::ServerContext* context,
                                                    const v1::MarkNotificationReadRequest* request,
                                                    v1::MarkNotificationReadResponse* response) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) {
        const auto claims = scope.RequireClaims();
        core::RequireUuid(request->notification_id(), "notification_id");
        auto mark = [&](pqxx::work& tx) {
            const auto marked =
                storage::MarkRead(tx, claims.subject, request->notification_id(), runtime_.clock()->Now());
            if (!marked) throw core::NotFound("notification not found");
            v1::MarkNotificationReadResponse out;
            ToProto(*marked, out.mutable_notification());
            return out;
        };
        *response = service::MutateWithOptionalKey<v1::MarkNotificationReadResponse>(runtime_, scope, *request, mark);
    });
}

grpc::Status NotificationsApi::StreamNotifications(grpc::ServerContext* context,
                                                   const v1::StreamNotificationsRequest* request,
                                                   grpc::ServerWriter<v1::Notification>* writer) {
    return rpc::Handle(context, [&](rpc::CallScope& scope) -> grpc::Status {
        const auto claims = scope.RequireClaims();
        if (request->after_sequence() < -1) {
            throw core::InvalidArgument("after_sequence", "must be -1 (all), 0 (only new ones) or a sequence");
        }
        const std::string& user = claims.subject;
        // Registered before the first read, so nothing written from here on goes unnoticed.
        const auto subscription = feed_.Subscribe(user);
        // The slot that counts across replicas; the source only when the gateway vouches for it.
        const auto lease = leases_.Acquire(
            user, gateway_secret_.empty() ? std::string() : rpc::ClientAddressOf(*context, gateway_secret_));
        std::int64_t cursor = request->after_sequence() == -1 ? 0 : request->after_sequence();
        if (request->after_sequence() == 0) {
            cursor =
                db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { return storage::LastSequence(tx, user); });
        }
        // The feed is live from here: the headers tell the caller so, and from where it starts.
        context->AddInitialMetadata(kFeedStartMetadata, std::to_string(cursor));
        writer->SendInitialMetadata();
        for (;;) {
            if (subscription->closed()) throw core::Unavailable("server is shutting down; resume with after_sequence");
            if (context->IsCancelled()) return grpc::Status::CANCELLED;
            // The stream lives only as long as its token: it ends (UNAUTHENTICATED) once the token
            // expires or the user's sessions are revoked (checked at least every kTokenCheck).
            scope.RequireStillValid();
            lease->KeepAlive();
            const auto seen = subscription->generation();
            const auto batch = db::InTransaction(
                runtime_.pool(), [&](pqxx::work& tx) { return storage::After(tx, user, cursor, kStreamBatch); });
            for (const auto& r : batch) {
                v1::Notification n;
                ToProto(r, &n);
                if (!writer->Write(n)) return grpc::Status::CANCELLED;  // the caller went away
                cursor = r.sequence;
            }
            if (static_cast<int>(batch.size()) == kStreamBatch) continue;  // more are waiting
            // Until a wake-up, the poll interval, the caller leaving or the feed closing.
            const auto until = std::chrono::steady_clock::now() + feed_.options().poll;
            auto check_token_at = std::chrono::steady_clock::now() + kTokenCheck;
            while (subscription->generation() == seen && !subscription->closed() && !context->IsCancelled()) {
                const auto now = std::chrono::steady_clock::now();
                if (now >= until) break;
                if (now >= check_token_at) {
                    scope.RequireStillValid();
                    lease->KeepAlive();
                    check_token_at = now + kTokenCheck;
                }
                subscription->Wait(
                    seen, std::min<std::chrono::milliseconds>(
                              kCancelCheck, std::chrono::duration_cast<std::chrono::milliseconds>(until - now) +
                                                std::chrono::milliseconds(1)));
            }
        }
    });
}

}  // namespace marketplace::notifications::api
