#pragma once
// The contracts service's configuration, from environment variables.
#include <chrono>

#include "marketplace/core/config.hpp"
#include "marketplace/rpc/client.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::contracts {

inline constexpr int kDefaultGrpcPort = 7103;
inline constexpr std::chrono::seconds kDefaultAutoReleaseAfter = std::chrono::hours(24 * 14);

struct ContractsConfig {
    service::RuntimeConfig runtime;
    /// AUTO_RELEASE_AFTER ("14d", "36h", "90s"; 1 s .. 366 days): how long a new contract gives the
    /// client to answer a submission before the milestone is accepted on its behalf.
    std::chrono::seconds auto_release_after = kDefaultAutoReleaseAfter;
    /// Where the JWKS comes from: AUTH_GRPC_TARGET (default 127.0.0.1:7101) and the other AUTH_GRPC_*.
    rpc::ChannelOptions auth;

    /// The runtime's variables (PG_*, KAFKA_*, GRPC_LISTEN, TIMER_POLL...), AUTO_RELEASE_AFTER, AUTH_GRPC_*.
    static ContractsConfig FromEnv(core::EnvReader& env);
};

}  // namespace marketplace::contracts
