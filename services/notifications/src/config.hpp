#pragma once
// The notifications service's configuration, from environment variables.
#include "app/live_feed.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/rpc/client.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::notifications {

inline constexpr int kDefaultGrpcPort = 7105;

struct NotificationsConfig {
    service::RuntimeConfig runtime;
    /// STREAM_MAX_PER_USER, STREAM_MAX_TOTAL, STREAM_POLL.
    LiveFeedOptions feed;
    /// Where the JWKS comes from: AUTH_GRPC_TARGET (default 127.0.0.1:7101) and the other AUTH_GRPC_*.
    rpc::ChannelOptions auth;

    /// The runtime's variables (PG_*, KAFKA_*, GRPC_LISTEN, ...), STREAM_*, AUTH_GRPC_*.
    static NotificationsConfig FromEnv(core::EnvReader& env);
};

}  // namespace marketplace::notifications
