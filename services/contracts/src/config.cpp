#include "config.hpp"

#include "component.hpp"

namespace marketplace::contracts {

ContractsConfig ContractsConfig::FromEnv(core::EnvReader& env) {
    ContractsConfig config;
    config.runtime = service::RuntimeConfig::FromEnv(env, "contracts", kDefaultGrpcPort);
    config.auto_release_after = Component::Config::FromEnv(env, config.runtime).auto_release_after;
    config.auth = rpc::ChannelOptions::FromEnv(env, "AUTH", "127.0.0.1:7101");
    return config;
}

}  // namespace marketplace::contracts
