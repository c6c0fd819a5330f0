#pragma once
// The contracts service's composition root: its configuration, its gRPC API, its consumers of jobs' and
// payments' events and its auto-release timers, registered with the Runtime in one place.
#include <chrono>

#include "api/contracts_api.hpp"
#include "config.hpp"
#include "events/consumers.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::contracts {

class Component final {
public:
    struct Config {
        /// AUTO_RELEASE_AFTER ("14d", "36h", "90s"; 1 s .. 366 days): how long a new contract gives the
        /// client to answer a submission before the milestone is accepted on its behalf.
        std::chrono::seconds auto_release_after = kDefaultAutoReleaseAfter;
        /// FUNDING_TIMEOUT (default 15m; 1 s .. 7 days): how long a funding attempt waits for payments'
        /// answer before the milestone returns to funding_required.
        std::chrono::seconds funding_timeout = kDefaultFundingTimeout;
        static Config FromEnv(core::EnvReader& env, const service::RuntimeConfig& runtime);
    };

    Component(service::Runtime& runtime, Config config);

private:
    api::ContractsApi api_;
    EventConsumers events_;
};

}  // namespace marketplace::contracts
