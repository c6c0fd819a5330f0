#pragma once
// The disputes service's composition root: its configuration, the reader of contracts' milestones,
// the dispute flows, its gRPC API, and its consumers and timers, registered with the Runtime.
#include <memory>

#include "api/disputes_api.hpp"
#include "app/dispute_flows.hpp"
#include "events/consumers.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::disputes {

inline constexpr int kDefaultGrpcPort = 7107;

class Component final {
public:
    struct Config {
        DisputesConfig disputes;
        /// CONTRACTS_GRPC_TARGET (default 127.0.0.1:7103) and the channel's retry settings.
        std::shared_ptr<ContractsReader> contracts;
        static Config FromEnv(core::EnvReader& env, const service::RuntimeConfig& runtime);
    };

    Component(service::Runtime& runtime, Config config);

private:
    DisputeFlows flows_;
    api::DisputesApi api_;
    EventConsumers events_;
};

}  // namespace marketplace::disputes
