#pragma once
// The template service's composition root: its gRPC API and its consumer of jobs' events,
// registered with the Runtime. A new service starts as a copy of this folder (docs/CONTRIBUTING.md).
#include "api/example_api.hpp"
#include "events/consumers.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::example {

/// The grpc column of this service's row in services/registry.tsv.
inline constexpr int kDefaultGrpcPort = 7106;

class Component final {
public:
    struct Config {
        /// Consume jobs' events (tests that feed the handlers themselves turn it off).
        bool consume_events = true;
        static Config FromEnv(core::EnvReader& env, const service::RuntimeConfig& runtime);
    };

    Component(service::Runtime& runtime, Config config);

private:
    api::ExampleApi api_;
    EventConsumers events_;
};

}  // namespace marketplace::example
