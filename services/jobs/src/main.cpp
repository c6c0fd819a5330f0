// The jobs service: wiring only.
#include <memory>

#include "api/jobs_api.hpp"
#include "jobs_migrations.hpp"
#include "marketplace/auth/verifier.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/rpc/client.hpp"
#include "marketplace/service/runtime.hpp"

namespace {

constexpr int kDefaultGrpcPort = 7102;

struct JobsConfig {
    marketplace::service::RuntimeConfig runtime;
    marketplace::rpc::ChannelOptions auth;  // where the JWKS comes from
};

}  // namespace

int main() {
    using namespace marketplace;
    core::log::Init("jobs");
    auto config = core::LoadConfigOrExit<JobsConfig>([] {
        core::EnvReader env;
        JobsConfig c{service::RuntimeConfig::FromEnv(env, "jobs", kDefaultGrpcPort),
                     rpc::ChannelOptions::FromEnv(env, "AUTH", "127.0.0.1:7101")};
        env.Finish();
        return c;
    });
    const auto clock = service::ClockFromEnv();
    config.runtime.server.token_verifier = auth::ServiceTokenVerifier(config.auth, clock);

    service::Runtime runtime(config.runtime, clock);
    runtime.Migrate("jobs", migrations::jobs());
    jobs::JobsApi api(runtime);
    runtime.AddService(&api, jobs::JobsApi::kServiceName);
    return runtime.Run();
}
