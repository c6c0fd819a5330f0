#pragma once
// The jobs service's composition root: its gRPC API (templates, jobs, search, proposals, invites and the
// acceptance that publishes ProposalAccepted), registered with the Runtime in one place.
#include "api/jobs_api.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::jobs {

inline constexpr int kDefaultGrpcPort = 7102;

class Component final {
public:
    /// jobs reads nothing beyond the runtime's variables.
    struct Config {
        static Config FromEnv(core::EnvReader& env, const service::RuntimeConfig& runtime);
    };

    Component(service::Runtime& runtime, Config config);

private:
    JobsApi api_;
};

}  // namespace marketplace::jobs
