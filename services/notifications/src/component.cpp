#include "component.hpp"

#include "marketplace/notifications/v1/notifications.grpc.pb.h"

namespace marketplace::notifications {

Component::Config Component::Config::FromEnv(core::EnvReader& env, const service::RuntimeConfig& /*runtime*/) {
    Config config;
    config.feed = LiveFeedOptions::FromEnv(env);
    config.streams = service::StreamLimits::FromEnv(env, "STREAM");
    config.feed.max_per_user = config.streams.per_user;
    config.gateway_secret = service::StreamGatewaySecret(env, "NOTIFICATIONS");
    return config;
}

Component::Component(service::Runtime& runtime, Config config)
    : feed_(runtime.config().pg, config.feed),
      leases_(runtime, "notifications", config.streams),
      api_(runtime, feed_, leases_, config.gateway_secret),
      events_(runtime) {
    runtime.AddService(&api_, v1::NotificationsService::service_full_name());
    if (config.consume_events) events_.Register(runtime);
    runtime.OnStarted([this] { feed_.Start(); });
    runtime.OnStopping([this] { feed_.Close(); });  // end the open feeds before the drain waits for them
    runtime.OnStopped([this] { feed_.Stop(); });
}

}  // namespace marketplace::notifications
