#pragma once
// The service kit: one main() for every service. A service is its component (src/component.{hpp,cpp}:
// its configuration, API, consumers and timers registered in one place), a main.cpp of a few lines, and
// `marketplace_add_service(...)` in its CMakeLists.txt (cmake/Marketplace.cmake).
//
//   // services/disputes/src/main.cpp
//   #include "component.hpp"
//   #include "disputes_migrations.hpp"
//   #include "marketplace/service/kit.hpp"
//
//   int main() {
//       return marketplace::service::RunService<marketplace::disputes::Component>(
//           {.name = "disputes", .grpc_port = 7107, .migrations = marketplace::migrations::disputes});
//   }
//
// RunService does the start-up every service repeats: JSON logs named after the service; the runtime's
// configuration and the component's read from the environment with every problem reported at once
// (exit status 2); the clock (MARKETPLACE_CLOCK_OFFSET_FILE in whole-process tests); the token verifier
// (auth's JWKS at AUTH_GRPC_TARGET); the Runtime; the migrations; the component; Run() with one SIGTERM
// and drain mechanism (Runtime's OnStarted/OnStopping/OnStopped hooks).
//
// A component type provides:
//   struct Config { static Config FromEnv(core::EnvReader& env, const RuntimeConfig& runtime); };
//   Component(Runtime& runtime, Config config);   // registers its API, consumers, timers and hooks
// and, when it verifies tokens itself (auth issues them), with `.verify_tokens = false`:
//   static void Configure(RuntimeConfig& runtime, Config& config, std::shared_ptr<const core::Clock> clock);
//   which runs before the Runtime is built.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "marketplace/core/clock.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/db/migration_runner.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::service {

struct ServiceSpec {
    /// "payments": its log name, database and role, topic "payments.events.v1", consumer group.
    std::string name;
    /// The default gRPC port (GRPC_LISTEN overrides it); metrics default to 9100 + grpc_port - 7100.
    int grpc_port = 0;
    /// The service's own migrations (the generated marketplace::migrations::<name>).
    std::function<std::vector<db::MigrationFile>()> migrations;
    /// Verify callers' tokens with auth's JWKS (AUTH_GRPC_TARGET, default 127.0.0.1:7101).
    bool verify_tokens = true;
};

namespace impl {

/// The type-erased part of RunService: `read_config` reads the component's configuration (before
/// Finish), `configure` may change the runtime's before it is built, `make` builds the component and
/// returns its owner, released before the Runtime.
int RunService(const ServiceSpec& spec, const std::function<void(core::EnvReader&, const RuntimeConfig&)>& read_config,
               const std::function<void(RuntimeConfig&, std::shared_ptr<const core::Clock>)>& configure,
               const std::function<std::shared_ptr<void>(Runtime&)>& make);

}  // namespace impl

template <typename Component>
int RunService(const ServiceSpec& spec) {
    using Config = typename Component::Config;
    std::shared_ptr<Config> config;
    return impl::RunService(
        spec,
        [&](core::EnvReader& env, const RuntimeConfig& runtime) {
            config = std::make_shared<Config>(Config::FromEnv(env, runtime));
        },
        [&](RuntimeConfig& runtime, std::shared_ptr<const core::Clock> clock) {
            if constexpr (requires { Component::Configure(runtime, *config, clock); }) {
                Component::Configure(runtime, *config, std::move(clock));
            }
        },
        [&](Runtime& runtime) -> std::shared_ptr<void> {
            return std::make_shared<Component>(runtime, std::move(*config));
        });
}

}  // namespace marketplace::service
