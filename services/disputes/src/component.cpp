#include "component.hpp"

#include "marketplace/rpc/client.hpp"

namespace marketplace::disputes {

Component::Config Component::Config::FromEnv(core::EnvReader& env, const service::RuntimeConfig& /*runtime*/) {
    Config config;
    config.disputes = DisputesConfig::FromEnv(env);
    const auto channel = rpc::CreateChannel(rpc::ChannelOptions::FromEnv(env, "CONTRACTS", "127.0.0.1:7103"));
    const auto timeout = env.Duration("CONTRACTS_CALL_TIMEOUT", std::chrono::seconds(5), std::chrono::milliseconds(100),
                                      std::chrono::seconds(60));
    config.contracts = std::make_shared<GrpcContractsReader>(channel, timeout);
    return config;
}

Component::Component(service::Runtime& runtime, Config config)
    : flows_(runtime, config.disputes, std::move(config.contracts)), api_(runtime, flows_), events_(flows_) {
    runtime.AddService(&api_, v1::DisputesService::service_full_name());
    events_.Register(runtime);
}

}  // namespace marketplace::disputes
