// The notifications service: wiring only.
#include <thread>

#include "api/notifications_api.hpp"
#include "app/live_feed.hpp"
#include "app/termination_signals.hpp"
#include "config.hpp"
#include "events/notification_events.hpp"
#include "marketplace/auth/verifier.hpp"
#include "marketplace/core/log.hpp"
#include "notifications_migrations.hpp"

int main() {
    using namespace marketplace;
    notifications::BlockTerminationSignals();  // before any thread starts: only the waiter below gets them
    core::log::Init("notifications");
    auto config = core::LoadConfigOrExit<notifications::NotificationsConfig>([] {
        core::EnvReader env;
        auto c = notifications::NotificationsConfig::FromEnv(env);
        env.Finish();
        return c;
    });
    const auto clock = service::ClockFromEnv();
    config.runtime.server.token_verifier = auth::ServiceTokenVerifier(config.auth, clock);

    service::Runtime runtime(config.runtime, clock);
    runtime.Migrate("notifications", migrations::notifications());

    notifications::LiveFeed feed(config.runtime.pg, config.feed);
    notifications::api::NotificationsApi api(runtime, feed);
    notifications::NotificationEvents events(runtime);
    runtime.AddService(&api, notifications::v1::NotificationsService::service_full_name());
    events.Register(runtime);
    feed.Start();
    runtime.Start();

    // On SIGTERM: end the open feeds first, so the drain does not wait on them, then stop the
    // runtime; Run() returns once it has (bounded by SHUTDOWN_TIMEOUT).
    std::thread on_signal([&] {
        const int signal = notifications::WaitForTerminationSignal();
        core::log::Info("draining", {{"signal", signal}});
        feed.Close();
        runtime.Stop();
    });
    const int status = runtime.Run();
    on_signal.join();
    feed.Stop();
    return status;
}
