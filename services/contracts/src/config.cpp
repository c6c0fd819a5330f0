#include "config.hpp"

namespace marketplace::contracts {

ContractsConfig ContractsConfig::FromEnv(core::EnvReader& env) {
    ContractsConfig config;
    config.runtime = service::RuntimeConfig::FromEnv(env, "contracts", kDefaultGrpcPort);
    config.auto_release_after = std::chrono::duration_cast<std::chrono::seconds>(env.Duration(
        "AUTO_RELEASE_AFTER", kDefaultAutoReleaseAfter, std::chrono::seconds(1), std::chrono::hours(24 * 366)));
    config.auth = rpc::ChannelOptions::FromEnv(env, "AUTH", "127.0.0.1:7101");
    return config;
}

}  // namespace marketplace::contracts
