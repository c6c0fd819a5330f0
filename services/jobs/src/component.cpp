#include "component.hpp"

#include "marketplace/rpc/client.hpp"

namespace marketplace::jobs {

Component::Config Component::Config::FromEnv(core::EnvReader& env, const service::RuntimeConfig& /*runtime*/) {
    Config config;
    const auto channel = rpc::CreateChannel(rpc::ChannelOptions::FromEnv(env, "CLANS", "127.0.0.1:7109"));
    const auto timeout = env.Duration("CLANS_CALL_TIMEOUT", std::chrono::seconds(5), std::chrono::milliseconds(100),
                                      std::chrono::seconds(60));
    config.clans = std::make_shared<GrpcClansReader>(channel, timeout);
    return config;
}

Component::Component(service::Runtime& runtime, Config config) : api_(runtime, std::move(config.clans)) {
    runtime.AddService(&api_, JobsApi::kServiceName);
}

}  // namespace marketplace::jobs
