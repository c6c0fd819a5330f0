#pragma once
// The notifications service's composition root: its configuration, the live feed, its gRPC API and its
// consumers of contracts' and payments' events, registered with the Runtime in one place. The open
// feeds are closed when a stop begins, so the gRPC drain does not wait on them.
#include "api/notifications_api.hpp"
#include "app/live_feed.hpp"
#include "events/consumers.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/service/stream_leases.hpp"

namespace marketplace::notifications {

inline constexpr int kDefaultGrpcPort = 7105;

class Component final {
public:
    struct Config {
        /// STREAM_MAX_TOTAL, STREAM_POLL (the per-user bound comes from `streams`).
        LiveFeedOptions feed;
        /// STREAM_MAX_PER_USER, STREAM_MAX_PER_SOURCE, STREAM_LEASE_TTL: the bounds that hold across replicas.
        service::StreamLimits streams;
        /// NOTIFICATIONS_GATEWAY_SECRET(_FILE): the gateway's forwarding secret (GATEWAY_FORWARDING_SECRET),
        /// so the client's address it forwards counts for the per-source budget. Unset: no per-source
        /// budget (every client would look like the gateway), and a warning at start.
        std::string gateway_secret;
        /// Consume contracts' and payments' events (tests that feed the handlers themselves turn it off).
        bool consume_events = true;
        static Config FromEnv(core::EnvReader& env, const service::RuntimeConfig& runtime);
    };

    Component(service::Runtime& runtime, Config config);

    LiveFeed& feed() noexcept { return feed_; }
    NotificationEvents& events() noexcept { return events_; }
    service::StreamLeases& leases() noexcept { return leases_; }

private:
    LiveFeed feed_;
    service::StreamLeases leases_;
    api::NotificationsApi api_;
    NotificationEvents events_;
};

}  // namespace marketplace::notifications
