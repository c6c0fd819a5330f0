#pragma once
// The notifications service in-process for the pg tests: a fresh database, test tokens, the
// Runtime on an ephemeral port with the live feed LISTENing, a real gRPC channel, and helpers to
// feed events through the service's own router (as its consumer would) and to call the API.
//
// The feed's poll fallback is set to ten minutes, so a stream that gets a new notification within
// a test was woken by PostgreSQL NOTIFY, not by polling.
#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include <pqxx/transaction>

#include "api/notifications_api.hpp"
#include "app/live_feed.hpp"
#include "component.hpp"
#include "events/consumers.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/notifications/v1/notifications.grpc.pb.h"
#include "marketplace/service/runtime.hpp"
#include "marketplace/tokens/test_tokens.hpp"

namespace marketplace::notifications::testing {

struct Fixture {
    explicit Fixture(LiveFeedOptions feed_options = DefaultFeedOptions(), service::StreamLimits limits = {},
                     std::string gateway_secret = {});
    ~Fixture();
    static LiveFeedOptions DefaultFeedOptions();

    /// Stops the runtime, as SIGTERM does: the component's stopping hook closes the feeds first.
    void Shutdown();

    std::shared_ptr<core::ManualClock> clock;
    tokens::TestTokens tokens;
    std::unique_ptr<service::Runtime> runtime;
    std::unique_ptr<Component> component;
    LiveFeed* feed = nullptr;
    service::StreamLeases& leases() { return component->leases(); }
    NotificationEvents* events = nullptr;
    int port = 0;
    std::unique_ptr<v1::NotificationsService::Stub> stub;
};

/// The process-wide fixture (one service and database per test binary).
Fixture& F();

/// Runs `fn` in one transaction on the service's pool.
void InTx(const std::function<void(pqxx::work&)>& fn);

/// Hands `event` to the service's event router in one transaction, as the consumer does, with a
/// fresh event id (or `event_id`); returns the id.
std::string Deliver(const google::protobuf::Message& event, const std::string& event_id = {});

/// A client context for `user_id` (no token when empty) with a deadline of `seconds`, with a token
/// from F() or from `fixture`.
std::unique_ptr<grpc::ClientContext> Context(const std::string& user_id, int seconds = 10);
std::unique_ptr<grpc::ClientContext> Context(const Fixture& fixture, const std::string& user_id, int seconds);

/// The x-error-field trailer of a finished call, or "".
std::string ErrorField(const grpc::ClientContext& context);

/// The user's notifications through ListNotifications (newest first, up to 100).
v1::ListNotificationsResponse List(const std::string& user_id, bool unread_only = false);

}  // namespace marketplace::notifications::testing
