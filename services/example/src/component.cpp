#include "component.hpp"

namespace marketplace::example {

Component::Config Component::Config::FromEnv(core::EnvReader& /*env*/, const service::RuntimeConfig& /*runtime*/) {
    return Config{};
}

Component::Component(service::Runtime& runtime, Config config) : api_(runtime), events_(runtime) {
    runtime.AddService(&api_, v1::ExampleService::service_full_name());
    if (config.consume_events) events_.Register(runtime);
}

}  // namespace marketplace::example
