#pragma once
// The workroom service's composition root: its configuration, the live feed, its gRPC API and its
// consumer of contracts' events, registered with the Runtime in one place. The open streams are
// closed when a stop begins, so the gRPC drain does not wait on them.
#include "api/code_api.hpp"
#include "api/files_api.hpp"
#include "api/workroom_api.hpp"
#include "app/code_actions.hpp"
#include "app/file_actions.hpp"
#include "app/live_feed.hpp"
#include "events/consumers.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/service/stream_leases.hpp"

namespace marketplace::workroom {

inline constexpr int kDefaultGrpcPort = 7108;

class Component final {
public:
    struct Config {
        /// STREAM_MAX_TOTAL, STREAM_POLL (the per-user bound comes from `streams`).
        LiveFeedOptions feed;
        /// STREAM_MAX_PER_USER, STREAM_MAX_PER_SOURCE, STREAM_LEASE_TTL: the bounds that hold across replicas.
        service::StreamLimits streams;
        /// WORKROOM_GATEWAY_SECRET(_FILE): the gateway's forwarding secret, so the client's address it
        /// forwards counts for the per-address stream budget (unset: no per-address budget).
        std::string gateway_secret;
        /// Consume contracts' events (tests that feed the handlers themselves turn it off).
        bool consume_events = true;
        /// FILE_MAX_BYTES, FILES_MAX_PER_ROOM, FILES_MAX_ROOM_BYTES, BLOB_* (app/file_actions.hpp).
        FilesOptions files;
        /// GITHUB_DELIVERY_MAX_AGE, REPOSITORIES_MAX_PER_ROOM (app/code_actions.hpp).
        CodeOptions code;
        static Config FromEnv(core::EnvReader& env, const service::RuntimeConfig& runtime);
    };

    Component(service::Runtime& runtime, Config config);

    LiveFeed& feed() noexcept { return feed_; }
    service::StreamLeases& leases() noexcept { return leases_; }
    WorkroomEvents& events() noexcept { return events_; }
    FileActions& files() noexcept { return files_; }
    const CodeActions& code() const noexcept { return code_; }

private:
    LiveFeed feed_;
    service::StreamLeases leases_;
    api::WorkroomApi api_;
    CodeActions code_;
    api::CodeApi code_api_;
    WorkroomEvents events_;
    FileActions files_;
    api::FilesApi files_api_;
};

}  // namespace marketplace::workroom
