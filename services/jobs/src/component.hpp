#pragma once
// The jobs service's composition root: its gRPC API (templates, jobs, search, proposals from
// freelancers and clans, invites and the acceptance that publishes ProposalAccepted) and the reader
// of clans' rosters, registered with the Runtime in one place.
#include <memory>

#include "api/jobs_api.hpp"
#include "app/clans_reader.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::jobs {

inline constexpr int kDefaultGrpcPort = 7102;

class Component final {
public:
    struct Config {
        /// CLANS_GRPC_TARGET (default 127.0.0.1:7109), its channel settings and CLANS_CALL_TIMEOUT.
        std::shared_ptr<ClansReader> clans;
        static Config FromEnv(core::EnvReader& env, const service::RuntimeConfig& runtime);
    };

    Component(service::Runtime& runtime, Config config);

private:
    JobsApi api_;
};

}  // namespace marketplace::jobs
