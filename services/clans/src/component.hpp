#pragma once
// The clans service's composition root: the clan flows, its gRPC API and its consumers of
// contracts' and payments' events, registered with the Runtime.
#include "api/clans_api.hpp"
#include "app/clan_flows.hpp"
#include "events/consumers.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::clans {

inline constexpr int kDefaultGrpcPort = 7109;

class Component final {
public:
    struct Config {
        /// Consume contracts' and payments' events (tests that feed the handlers themselves turn it off).
        bool consume_events = true;
        static Config FromEnv(core::EnvReader& env, const service::RuntimeConfig& runtime);
    };

    Component(service::Runtime& runtime, Config config);

    ClanFlows& flows() noexcept { return flows_; }
    const EventConsumers& events() const noexcept { return events_; }

private:
    ClanFlows flows_;
    api::ClansApi api_;
    EventConsumers events_;
};

}  // namespace marketplace::clans
