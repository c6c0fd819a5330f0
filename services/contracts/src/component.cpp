#include "component.hpp"

#include "marketplace/contracts/v1/contracts.grpc.pb.h"

namespace marketplace::contracts {

Component::Config Component::Config::FromEnv(core::EnvReader& env, const service::RuntimeConfig& /*runtime*/) {
    Config config;
    config.auto_release_after = std::chrono::duration_cast<std::chrono::seconds>(env.Duration(
        "AUTO_RELEASE_AFTER", kDefaultAutoReleaseAfter, std::chrono::seconds(1), std::chrono::hours(24 * 366)));
    config.funding_timeout = std::chrono::duration_cast<std::chrono::seconds>(
        env.Duration("FUNDING_TIMEOUT", kDefaultFundingTimeout, std::chrono::seconds(1), std::chrono::hours(24 * 7)));
    return config;
}

Component::Component(service::Runtime& runtime, Config config)
    : api_(runtime, config.funding_timeout), events_(runtime, config.auto_release_after, config.funding_timeout) {
    runtime.AddService(&api_, v1::ContractsService::service_full_name());
    events_.Register(runtime);
}

}  // namespace marketplace::contracts
