#include "component.hpp"

#include "marketplace/workroom/v1/workroom.grpc.pb.h"

namespace marketplace::workroom {

Component::Config Component::Config::FromEnv(core::EnvReader& env, const service::RuntimeConfig& /*runtime*/) {
    Config config;
    config.feed = LiveFeedOptions::FromEnv(env);
    config.streams = service::StreamLimits::FromEnv(env, "STREAM");
    config.feed.max_per_user = config.streams.per_user;
    config.gateway_secret = service::StreamGatewaySecret(env, "WORKROOM");
    config.files = FilesOptions::FromEnv(env);
    config.code = CodeOptions::FromEnv(env);
    return config;
}

Component::Component(service::Runtime& runtime, Config config)
    : feed_(runtime.config().pg, config.feed),
      leases_(runtime, "workroom", config.streams),
      api_(runtime, feed_, leases_, config.gateway_secret),
      code_(runtime, config.code),
      code_api_(code_),
      events_(runtime, code_),
      files_(runtime, config.files),
      files_api_(files_) {
    runtime.AddService(&api_, v1::WorkroomService::service_full_name());
    runtime.AddService(&files_api_, v1::WorkroomFilesService::service_full_name());
    runtime.AddService(&code_api_, v1::WorkroomCodeService::service_full_name());
    if (config.consume_events) events_.Register(runtime);
    runtime.OnStarted([this] { feed_.Start(); });
    runtime.OnStopping([this] { feed_.Close(); });  // end the open streams before the drain waits for them
    runtime.OnStopped([this] { feed_.Stop(); });
}

}  // namespace marketplace::workroom
