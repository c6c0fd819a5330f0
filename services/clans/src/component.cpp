#include "component.hpp"

namespace marketplace::clans {

Component::Config Component::Config::FromEnv(core::EnvReader& /*env*/, const service::RuntimeConfig& /*runtime*/) {
    return Config{};
}

Component::Component(service::Runtime& runtime, Config config)
    : flows_(runtime), api_(runtime, flows_), events_(flows_) {
    runtime.AddService(&api_, v1::ClansService::service_full_name());
    if (config.consume_events) events_.Register(runtime);
}

}  // namespace marketplace::clans
