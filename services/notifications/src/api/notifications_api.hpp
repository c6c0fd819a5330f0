#pragma once
// The NotificationsService gRPC handlers. Every call is the caller's own: the user is the access
// token's subject, and another user's notification is NOT_FOUND. MarkNotificationRead is
// idempotent by nature (the first read_at stays); an idempotency-key, when sent, is honoured like
// elsewhere (a replay returns the stored answer, the key with another request is ALREADY_EXISTS).
//
// StreamNotifications replays the notifications after `after_sequence`, then sends each new one
// as it commits, woken by the LiveFeed; its headers (x-feed-after-sequence) arrive once it is
// live, so nothing committed after that is missed. It ends when the caller cancels, and with UNAVAILABLE when
// the server shuts down (the client resumes elsewhere with after_sequence = the last it saw).
// Each open stream holds a lease (service::StreamLeases): at most STREAM_MAX_PER_USER per user and
// STREAM_MAX_PER_SOURCE per client address across every replica; beyond, RESOURCE_EXHAUSTED.
#include <grpcpp/grpcpp.h>

#include "app/live_feed.hpp"
#include "marketplace/notifications/v1/notifications.grpc.pb.h"
#include "marketplace/service/runtime.hpp"
#include "marketplace/service/stream_leases.hpp"

namespace marketplace::notifications::api {

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;
/// Initial metadata of a stream, sent once it is live: the sequence it sends notifications after
/// (for after_sequence 0, the caller's last sequence at that moment).
inline constexpr char kFeedStartMetadata[] = "x-feed-after-sequence";
/// How many notifications a stream reads from the database at a time.
inline constexpr int kStreamBatch = 100;

/// 0 means the default; outside 0..100 is INVALID_ARGUMENT page_size.
int PageSize(int requested);

class NotificationsApi final : public v1::NotificationsService::Service {
public:
    /// `gateway_secret`: whose forwarded client address counts (empty: none; no per-source budget).
    NotificationsApi(service::Runtime& runtime, LiveFeed& feed, service::StreamLeases& leases,
                     std::string gateway_secret)
        : runtime_(runtime), feed_(feed), leases_(leases), gateway_secret_(std::move(gateway_secret)) {}

    grpc::Status ListNotifications(grpc::ServerContext* context, const v1::ListNotificationsRequest* request,
                                   v1::ListNotificationsResponse* response) override;
    grpc::Status MarkNotificationRead(grpc::ServerContext* context, const v1::MarkNotificationReadRequest* request,
                                      v1::MarkNotificationReadResponse* response) override;
    grpc::Status StreamNotifications(grpc::ServerContext* context, const v1::StreamNotificationsRequest* request,
                                     grpc::ServerWriter<v1::Notification>* writer) override;

private:
    service::Runtime& runtime_;
    LiveFeed& feed_;
    service::StreamLeases& leases_;
    std::string gateway_secret_;
};

}  // namespace marketplace::notifications::api
