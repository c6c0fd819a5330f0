#include "component.hpp"

namespace marketplace::jobs {

Component::Config Component::Config::FromEnv(core::EnvReader& /*env*/, const service::RuntimeConfig& /*runtime*/) {
    return {};
}

Component::Component(service::Runtime& runtime, Config /*config*/) : api_(runtime) {
    runtime.AddService(&api_, JobsApi::kServiceName);
}

}  // namespace marketplace::jobs
