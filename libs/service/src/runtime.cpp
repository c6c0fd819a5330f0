#include "marketplace/service/runtime.hpp"

#include <google/protobuf/message.h>

#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include <pqxx/pqxx>

#include "idempotency_migrations.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/messaging/relay.hpp"
#include "marketplace/metrics/endpoint.hpp"
#include "marketplace/metrics/metrics.hpp"
#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/service/after_commit.hpp"
#include "marketplace/service/database_errors.hpp"
#include "marketplace/service/event_router.hpp"
#include "messaging_migrations.hpp"
#include "runtime_metrics.hpp"
#include "streams_migrations.hpp"

namespace marketplace::service {

RuntimeConfig RuntimeConfig::FromEnv(core::EnvReader& env, const std::string& name, int default_grpc_port) {
    RuntimeConfig c;
    c.name = name;
    c.pg = db::PgConfig::FromEnv(env, name);
    c.kafka = messaging::KafkaConfig::FromEnv(env);
    c.server = rpc::ServerOptions::FromEnv(env, default_grpc_port);
    c.topic_prefix = env.String("KAFKA_TOPIC_PREFIX", "");
    if (c.topic_prefix.size() > 100) env.Reject("KAFKA_TOPIC_PREFIX", "must be at most 100 characters");
    c.timer_poll = env.Duration("TIMER_POLL", c.timer_poll, std::chrono::milliseconds(1), std::chrono::minutes(10));
    c.shutdown_timeout =
        env.Duration("SHUTDOWN_TIMEOUT", c.shutdown_timeout, std::chrono::seconds(1), std::chrono::minutes(10));
    c.metrics_listen =
        metrics::EndpointConfig::FromEnv(env, "127.0.0.1:" + std::to_string(9100 + default_grpc_port - 7100)).listen;
    c.retention = RetentionConfig::FromEnv(env);
    return c;
}

std::shared_ptr<const core::Clock> ClockFromEnv() {
    const char* path = std::getenv("MARKETPLACE_CLOCK_OFFSET_FILE");
    if (path != nullptr && *path != '\0') {
        core::log::Warn("time comes from a test clock offset file", {{"path", path}});
        return std::make_shared<core::OffsetFileClock>(path);
    }
    return core::SystemClock::Instance();
}

namespace {

// Events this thread appended to an outbox (Runtime::PublishedOnThisThread).
thread_local std::uint64_t published_on_this_thread = 0;
constexpr char kRetentionTimer[] = "retention";
// Serializes the check-then-schedule of the first retention timer between replicas starting together.
constexpr long long kRetentionBootstrapLock = 0x726574656e74696fLL;  // "retentio"
}  // namespace

class Runtime::Impl {
public:
    Impl(RuntimeConfig config, std::shared_ptr<const core::Clock> clock)
        : config_(std::move(config)),
          clock_(std::move(clock)),
          pool_(config_.pg),
          outbox_(config_.name),
          idempotency_(IdempotencyOptions{
              .retention = std::chrono::duration_cast<std::chrono::hours>(config_.retention.idempotency),
              .clock = clock_}),
          relay_(config_.pg, config_.kafka,
                 messaging::RelayOptions{.service = config_.name,
                                         .published_retention = std::chrono::duration_cast<std::chrono::seconds>(
                                             config_.retention.published_events),
                                         .clock = clock_}),
          scheduler_(config_.pg, clock_,
                     messaging::SchedulerOptions{.poll = config_.timer_poll, .after_fire = [this] { relay_.Wake(); }}) {
        if (!config_.server.clock) config_.server.clock = clock_;
        InstallDatabaseErrors();
        server_ = std::make_unique<rpc::Server>(config_.server);
        metrics::SetService(config_.name);
    }

    void Migrate(const std::string& component, const std::vector<db::MigrationFile>& files) {
        pqxx::connection conn(config_.pg.conninfo);
        db::ApplyMigrations(conn, "messaging", migrations::messaging());
        db::ApplyMigrations(conn, "idempotency", migrations::idempotency());
        db::ApplyMigrations(conn, "streams", migrations::streams());
        db::ApplyMigrations(conn, component, files);
    }

    std::string Publish(pqxx::work& tx, const std::string& key, const google::protobuf::Message& event) const {
        const core::TraceContext* current = rpc::CurrentTrace();
        const std::string traceparent = current != nullptr ? current->Child().ToTraceparent() : std::string();
        return outbox_.Append(tx, messaging::OutgoingEvent{Topic(), key, event.GetDescriptor()->full_name(),
                                                           event.SerializeAsString(), 1, traceparent});
    }

    std::vector<std::string> Publish(pqxx::work& tx, const std::vector<Runtime::Keyed>& events) const {
        const core::TraceContext* current = rpc::CurrentTrace();
        std::vector<messaging::OutgoingEvent> out;
        out.reserve(events.size());
        for (const auto& [key, event] : events) {
            out.push_back(
                messaging::OutgoingEvent{Topic(), key, event->GetDescriptor()->full_name(), event->SerializeAsString(),
                                         1, current != nullptr ? current->Child().ToTraceparent() : std::string()});
        }
        return outbox_.Append(tx, out);
    }

    std::string Topic() const { return config_.topic_prefix + config_.name + ".events.v1"; }

    /// The consumer's handlers and options as a consumer of this runtime applies events with them.
    void PrepareInbox(messaging::EventHandler& handler, messaging::ConsumerOptions& options) {
        options.group = config_.topic_prefix + (options.group.empty() ? config_.name : options.group);
        // Handlers publish through the outbox: wake the relay once their transaction committed,
        // and run what they noted with AfterCommit.
        options.after_commit = [this, then = std::move(options.after_commit)] {
            relay_.Wake();
            RunCommitted();
            if (then) then();
        };
        handler = [inner = std::move(handler)](pqxx::work& tx, const messaging::IncomingEvent& event) {
            DiscardUnlessIn(tx);  // left by a transaction that rolled back
            inner(tx, event);
        };
        if (options.batch_handler) {
            options.batch_handler = [inner = std::move(options.batch_handler)](
                                        pqxx::work& tx, const std::vector<const messaging::IncomingEvent*>& events) {
                DiscardUnlessIn(tx);
                inner(tx, events);
            };
        }
        if (!options.clock) options.clock = clock_;  // stamps inbox rows, whose age retention measures
    }

    std::unique_ptr<messaging::InboxApplier> Applier(messaging::EventHandler handler,
                                                     messaging::ConsumerOptions options) {
        PrepareInbox(handler, options);
        return std::make_unique<messaging::InboxApplier>(
            pool_,
            messaging::ApplierOptions{.consumer = options.group,
                                      .clock = options.clock,
                                      .max_batch = options.max_batch,
                                      .batch_handler = options.batch_handler,
                                      .after_commit = options.after_commit},
            std::move(handler));
    }

    void Consume(const std::vector<std::string>& topics, messaging::EventHandler handler,
                 messaging::ConsumerOptions options) {
        PrepareInbox(handler, options);
        options.topics.clear();
        for (const auto& t : topics) options.topics.push_back(config_.topic_prefix + t);
        consumers_.push_back(std::make_unique<messaging::InboxConsumer>(config_.pg, config_.kafka, std::move(options),
                                                                        std::move(handler)));
    }

    void OnTimer(const std::string& kind, messaging::TimerHandler handler) {
        scheduler_.On(kind, [inner = std::move(handler)](pqxx::work& tx, const messaging::Timer& timer) {
            DiscardUncommitted();
            inner(tx, timer);
            DiscardUncommitted();  // timers run no after-commit effects
        });
        has_timers_ = true;
    }

    /// The retention job: a durable timer that purges the kit's tables and the service's own, then
    /// schedules its next run (a new key each time: the fired row is deleted after its handler).
    void RegisterRetention() {
        OnTimer(kRetentionTimer, [this](pqxx::work& tx, const messaging::Timer&) {
            const auto now = clock_->Now();
            const auto deleted = PurgeExpired(tx, config_.retention, now, retention_purges_);
            bool more = false;
            std::string counts;
            long long total = 0;
            for (const auto& [table, rows] : deleted) {
                if (rows >= config_.retention.batch) more = true;
                total += rows;
                counts += (counts.empty() ? "" : " ") + table + "=" + std::to_string(rows);
            }
            const auto next =
                now + (more ? std::chrono::milliseconds(std::chrono::seconds(1)) : config_.retention.interval);
            messaging::ScheduleTimer(tx, kRetentionTimer, "next:" + core::FormatRfc3339(next), next);
            if (total > 0) {
                core::log::Info("retention: purged old rows", {{"service", config_.name}, {"deleted", counts}});
            }
        });
    }

    void ScheduleFirstRetention() {
        db::InTransaction(pool_, [&](pqxx::work& tx) {
            db::Exec(tx, "SELECT pg_advisory_xact_lock($1)", kRetentionBootstrapLock);
            if (db::Exec(tx, "SELECT 1 FROM timers WHERE kind = $1 LIMIT 1", kRetentionTimer).empty()) {
                messaging::ScheduleTimer(tx, kRetentionTimer, "first", clock_->Now());
            }
        });
    }

    int Start() {
        std::lock_guard lock(mu_);
        if (started_) return server_->port();
        RegisterRetention();
        ScheduleFirstRetention();
        if (!config_.metrics_listen.empty() && !metrics_endpoint_) {
            metrics_endpoint_ = std::make_unique<metrics::Endpoint>(config_.metrics_listen);
            collector_ = metrics::AddCollector([this] {
                return CollectRuntimeMetrics(RuntimeMetricsSources{relay_, consumers_, scheduler_, overdue_cache_});
            });
        }
        const int port = server_->Start();
        relay_.Start();
        for (auto& c : consumers_) c->Start();
        if (has_timers_) scheduler_.Start();
        started_ = true;
        core::log::Info("service started", {{"service", config_.name},
                                            {"port", port},
                                            {"metrics_port", metrics_endpoint_ ? metrics_endpoint_->port() : 0}});
        RunHooks("started", on_started_);
        return port;
    }

    void Stop() {
        std::lock_guard lock(mu_);
        if (!started_ || stopped_) return;
        stopped_ = true;
        core::log::Info("service stopping", {{"service", config_.name}});
        RunHooks("stopping", on_stopping_);
        server_->Drain();                      // no new calls; in-flight ones finish within the drain bound
        for (auto& c : consumers_) c->Stop();  // commits applied offsets, leaves the group
        scheduler_.Stop();
        relay_.Stop();  // publishes what was committed, waits for the broker
        RunHooks("stopped", on_stopped_);
        core::log::Info("service stopped", {{"service", config_.name}});
    }

    void RunHooks(const char* stage, const std::vector<std::function<void()>>& hooks) {
        for (const auto& hook : hooks) {
            try {
                hook();
            } catch (const std::exception& e) {
                core::log::Error("lifecycle hook failed", {{"stage", stage}, {"error", e.what()}});
            }
        }
    }

    int Run() {
        Start();
        server_->WaitForDrainRequest();  // SIGTERM/SIGINT, or a Stop() from elsewhere
        // The rest of the shutdown (consumers, timers, relay flush) is bounded too: a broker or
        // database that stopped answering must not keep the process from exiting.
        std::mutex done_mu;
        std::condition_variable done_cv;
        bool done = false;
        std::thread watchdog([&] {
            std::unique_lock lock(done_mu);
            if (!done_cv.wait_for(lock, config_.shutdown_timeout, [&] { return done; })) {
                core::log::Error("service did not stop within SHUTDOWN_TIMEOUT; exiting now",
                                 {{"service", config_.name},
                                  {"shutdown_timeout_ms", static_cast<long long>(config_.shutdown_timeout.count())}});
                core::log::Flush();  // _Exit runs no destructor: the logger's thread must have written it
                std::_Exit(70);
            }
        });
        Stop();
        {
            std::lock_guard lock(done_mu);
            done = true;
        }
        done_cv.notify_all();
        watchdog.join();
        return 0;
    }

    RuntimeConfig config_;
    std::shared_ptr<const core::Clock> clock_;
    db::Pool pool_;
    messaging::Outbox outbox_;
    IdempotencyStore idempotency_;
    messaging::OutboxRelay relay_;
    messaging::TimerScheduler scheduler_;
    std::unique_ptr<rpc::Server> server_;
    std::vector<std::unique_ptr<messaging::InboxConsumer>> consumers_;
    bool has_timers_ = false;
    std::map<std::string, RetentionPurge> retention_purges_;
    std::vector<std::function<void()>> on_started_, on_stopping_, on_stopped_;
    std::mutex mu_;
    bool started_ = false;
    bool stopped_ = false;
    OverdueCache overdue_cache_;
    // Last, so that they go first: no scrape reads the pieces above once they are being destroyed.
    std::unique_ptr<metrics::Endpoint> metrics_endpoint_;
    metrics::Registration collector_;
};

Runtime::Runtime(RuntimeConfig config, std::shared_ptr<const core::Clock> clock)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(clock))) {}
Runtime::~Runtime() { impl_->Stop(); }
void Runtime::Migrate(const std::string& component, const std::vector<db::MigrationFile>& files) {
    impl_->Migrate(component, files);
}
const RuntimeConfig& Runtime::config() const noexcept { return impl_->config_; }
db::Pool& Runtime::pool() { return impl_->pool_; }
std::shared_ptr<const core::Clock> Runtime::clock() const { return impl_->clock_; }
const IdempotencyStore& Runtime::idempotency() const { return impl_->idempotency_; }
std::string Runtime::topic() const { return impl_->Topic(); }
std::string Runtime::Publish(pqxx::work& tx, const std::string& key, const google::protobuf::Message& event) const {
    auto id = impl_->Publish(tx, key, event);
    ++published_on_this_thread;
    return id;
}
std::vector<std::string> Runtime::Publish(pqxx::work& tx, const std::vector<Keyed>& events) const {
    auto ids = impl_->Publish(tx, events);
    published_on_this_thread += ids.size();
    return ids;
}
std::uint64_t Runtime::PublishedOnThisThread() noexcept { return published_on_this_thread; }
void Runtime::Published() { impl_->relay_.Wake(); }
void Runtime::AddService(grpc::Service* service, const std::string& health_name) {
    impl_->server_->AddService(service, health_name);
}
void Runtime::Consume(const std::vector<std::string>& topics, messaging::EventHandler handler,
                      messaging::ConsumerOptions options) {
    impl_->Consume(topics, std::move(handler), std::move(options));
}
void Runtime::OnTimer(const std::string& kind, messaging::TimerHandler handler) {
    impl_->OnTimer(kind, std::move(handler));
}
int Runtime::Start() { return impl_->Start(); }
int Runtime::metrics_port() const { return impl_->metrics_endpoint_ ? impl_->metrics_endpoint_->port() : 0; }
void Runtime::Consume(const EventRouter& router, messaging::ConsumerOptions options) {
    if (!options.batch_handler) options.batch_handler = router.Batches();
    impl_->Consume(router.Topics(), router.Handler(), std::move(options));
}
std::unique_ptr<messaging::InboxApplier> Runtime::Applier(const EventRouter& router,
                                                          messaging::ConsumerOptions options) {
    if (!options.batch_handler) options.batch_handler = router.Batches();
    return impl_->Applier(router.Handler(), std::move(options));
}
void Runtime::OnRetention(const std::string& name, RetentionPurge purge) {
    impl_->retention_purges_[name] = std::move(purge);
}
void Runtime::OnStarted(std::function<void()> hook) { impl_->on_started_.push_back(std::move(hook)); }
void Runtime::OnStopping(std::function<void()> hook) { impl_->on_stopping_.push_back(std::move(hook)); }
void Runtime::OnStopped(std::function<void()> hook) { impl_->on_stopped_.push_back(std::move(hook)); }
void Runtime::Stop() { impl_->Stop(); }
int Runtime::Run() { return impl_->Run(); }

}  // namespace marketplace::service
