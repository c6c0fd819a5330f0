#include "config.hpp"

namespace marketplace::notifications {

NotificationsConfig NotificationsConfig::FromEnv(core::EnvReader& env) {
    NotificationsConfig config;
    config.runtime = service::RuntimeConfig::FromEnv(env, "notifications", kDefaultGrpcPort);
    // Open feeds must end before the gRPC drain waits for the calls in flight, so main() handles
    // SIGTERM/SIGINT itself: it closes the feeds, then stops the runtime.
    config.runtime.server.handle_signals = false;
    config.feed = LiveFeedOptions::FromEnv(env);
    config.auth = rpc::ChannelOptions::FromEnv(env, "AUTH", "127.0.0.1:7101");
    return config;
}

}  // namespace marketplace::notifications
