#pragma once
// The workroom service's composition root: its configuration, the live feed, its gRPC API and its
// consumer of contracts' events, registered with the Runtime in one place. The open streams are
// closed when a stop begins, so the gRPC drain does not wait on them.
#include "api/workroom_api.hpp"
#include "app/live_feed.hpp"
#include "events/workroom_events.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::workroom {

inline constexpr int kDefaultGrpcPort = 7108;

class Component final {
public:
    struct Config {
        /// STREAM_MAX_PER_USER, STREAM_MAX_TOTAL, STREAM_POLL.
        LiveFeedOptions feed;
        /// Consume contracts' events (tests that feed the handlers themselves turn it off).
        bool consume_events = true;
        static Config FromEnv(core::EnvReader& env, const service::RuntimeConfig& runtime);
    };

    Component(service::Runtime& runtime, Config config);

    LiveFeed& feed() noexcept { return feed_; }
    WorkroomEvents& events() noexcept { return events_; }

private:
    LiveFeed feed_;
    api::WorkroomApi api_;
    WorkroomEvents events_;
};

}  // namespace marketplace::workroom
