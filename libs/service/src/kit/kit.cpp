#include "marketplace/service/kit.hpp"

#include <stdexcept>

#include "marketplace/core/log.hpp"
#include "marketplace/rpc/client.hpp"
#include "marketplace/tokens/verifier.hpp"

namespace marketplace::service::impl {

int RunService(const ServiceSpec& spec, const std::function<void(core::EnvReader&, const RuntimeConfig&)>& read_config,
               const std::function<void(RuntimeConfig&, std::shared_ptr<const core::Clock>)>& configure,
               const std::function<std::shared_ptr<void>(Runtime&)>& make) {
    if (spec.name.empty() || spec.grpc_port <= 0 || !spec.migrations) {
        throw std::invalid_argument("ServiceSpec: name, grpc_port and migrations are required");
    }
    core::log::Init(spec.name);
    struct Loaded {
        RuntimeConfig runtime;
        rpc::ChannelOptions auth;
        std::chrono::milliseconds token_refresh{tokens::kDefaultTokenStateRefresh};
    };
    auto loaded = core::LoadConfigOrExit<Loaded>([&] {
        core::EnvReader env;
        Loaded l;
        l.runtime = RuntimeConfig::FromEnv(env, spec.name, spec.grpc_port);
        if (spec.verify_tokens) {
            l.auth = rpc::ChannelOptions::FromEnv(env, "AUTH", "127.0.0.1:7101");
            // How often token keys and session revocations are refetched from auth.
            l.token_refresh = env.Duration("AUTH_TOKEN_REFRESH", tokens::kDefaultTokenStateRefresh,
                                           std::chrono::milliseconds(100), std::chrono::minutes(5));
        }
        read_config(env, l.runtime);
        env.Finish();
        return l;
    });
    const auto clock = ClockFromEnv();
    if (spec.verify_tokens)
        loaded.runtime.server.token_verifier = tokens::ServiceTokenVerifier(loaded.auth, clock, loaded.token_refresh);
    configure(loaded.runtime, clock);

    Runtime runtime(std::move(loaded.runtime), clock);
    runtime.Migrate(spec.name, spec.migrations());
    auto component = make(runtime);
    const int status = runtime.Run();
    component.reset();  // before the Runtime it holds on to
    return status;
}

}  // namespace marketplace::service::impl
