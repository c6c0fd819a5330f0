#pragma once
// The wiring every service shares: configuration, its database pool and migrations, the gRPC server,
// the outbox and its relay, event consumers, durable timers, and an orderly shutdown on SIGTERM.
// A service's main() builds a Runtime, registers its pieces, and calls Run().
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"
#include "marketplace/db/migration_runner.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "marketplace/messaging/kafka_config.hpp"
#include "marketplace/messaging/outbox.hpp"
#include "marketplace/messaging/timers.hpp"
#include "marketplace/rpc/server.hpp"
#include "marketplace/service/idempotency_store.hpp"
#include "marketplace/service/retention.hpp"

namespace google::protobuf {
class Message;
}
namespace grpc {
class Service;
}

namespace marketplace::service {

class EventRouter;

struct RuntimeConfig {
    std::string name;  // "payments": its database, role, topic "payments.events.v1", consumer group
    db::PgConfig pg;
    messaging::KafkaConfig kafka;
    rpc::ServerOptions server;
    /// Put before every topic and consumer group name (KAFKA_TOPIC_PREFIX), so that several copies of
    /// the system, such as parallel test runs, can share one Kafka cluster without seeing each other.
    std::string topic_prefix;
    std::chrono::milliseconds timer_poll{200};
    /// SHUTDOWN_TIMEOUT: after the gRPC drain, how long stopping consumers, timers and the relay may
    /// take before the process exits anyway (status 70); what was not flushed stays in the outbox.
    std::chrono::milliseconds shutdown_timeout{15000};
    /// METRICS_LISTEN: where GET /metrics is served (host:port); "" serves no metrics.
    std::string metrics_listen;
    /// RETENTION_*: how long the kit's tables keep rows (retention.hpp).
    RetentionConfig retention;

    /// PG_*, KAFKA_*, GRPC_LISTEN (default 127.0.0.1:<default_grpc_port>), GRPC_DRAIN_TIMEOUT, TIMER_POLL,
    /// METRICS_LISTEN (default 127.0.0.1:<9100 + default_grpc_port - 7100>, "off" for none).
    static RuntimeConfig FromEnv(core::EnvReader& env, const std::string& name, int default_grpc_port);
};

/// The system clock, or, when MARKETPLACE_CLOCK_OFFSET_FILE is set (tests of whole processes only),
/// the system clock shifted by the seconds written in that file.
std::shared_ptr<const core::Clock> ClockFromEnv();

class Runtime final {
public:
    explicit Runtime(RuntimeConfig config, std::shared_ptr<const core::Clock> clock = core::SystemClock::Instance());
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    /// Applies the shared migrations (messaging, idempotency) and then the service's own component.
    void Migrate(const std::string& component, const std::vector<db::MigrationFile>& files);

    const RuntimeConfig& config() const noexcept;
    db::Pool& pool();
    std::shared_ptr<const core::Clock> clock() const;
    const IdempotencyStore& idempotency() const;
    /// "<prefix><name>.events.v1".
    std::string topic() const;

    /// Appends `event` to the outbox in `tx` with type "marketplace.<name>.v1.<MessageName>" and the
    /// current trace (the gRPC call's or the event being handled). Returns the event id.
    std::string Publish(pqxx::work& tx, const std::string& key, const google::protobuf::Message& event) const;
    /// An event and its key, for publishing several at once.
    using Keyed = std::pair<std::string, const google::protobuf::Message*>;
    /// Appends `events` in order in one statement, as that many Publish calls would; returns their ids.
    std::vector<std::string> Publish(pqxx::work& tx, const std::vector<Keyed>& events) const;
    /// Wakes the relay; call after committing a transaction that published.
    void Published();
    /// How many events this thread has appended with Publish so far: a write that compares it before
    /// and after knows whether it published (service::Mutate wakes the relay only then).
    static std::uint64_t PublishedOnThisThread() noexcept;

    /// Registers a gRPC service (before Start). `health_name` is reported by the health service.
    void AddService(grpc::Service* service, const std::string& health_name = {});
    /// Consumes `topics` (names without the prefix) with the consumer group "<prefix><name>" (before Start).
    void Consume(const std::vector<std::string>& topics, messaging::EventHandler handler,
                 messaging::ConsumerOptions options = {});
    /// Consumes the topics of the types `router` handles, with its handler (before Start).
    void Consume(const EventRouter& router, messaging::ConsumerOptions options = {});
    /// What a consumer of `router` (Consume) applies events with, for events in hand: the same inbox
    /// consumer name, handlers (OnBatch ones included), clock and after-commit effects. Its Apply
    /// shares transactions between concurrent callers (group commit, messaging/inbox_applier.hpp).
    std::unique_ptr<messaging::InboxApplier> Applier(const EventRouter& router,
                                                     messaging::ConsumerOptions options = {});
    /// Registers a timer handler (before Start).
    void OnTimer(const std::string& kind, messaging::TimerHandler handler);
    /// Adds a table of the service's own to the retention job (before Start): `purge` deletes at most
    /// `batch` rows that are old at `now` and returns how many (retention.hpp).
    void OnRetention(const std::string& name, RetentionPurge purge);

    /// Lifecycle hooks, one mechanism for every service (before Start; each list runs in the order
    /// registered). `OnStarted`: after the server, relay, consumers and timers started. `OnStopping`:
    /// when a stop begins (SIGTERM, SIGINT or Stop()), before the gRPC drain, so that long-lived
    /// streams can be ended instead of holding the drain up. `OnStopped`: after consumers, timers and
    /// the relay stopped. A hook that throws is logged and the others still run.
    void OnStarted(std::function<void()> hook);
    void OnStopping(std::function<void()> hook);
    void OnStopped(std::function<void()> hook);

    /// Starts the metrics endpoint, server, relay, consumers and timers; returns the gRPC port.
    /// Throws std::runtime_error when the gRPC or metrics address cannot be bound.
    int Start();
    /// The port GET /metrics is served on once started; 0 when metrics_listen is "".
    int metrics_port() const;
    /// Drains gRPC, stops consumers and timers, flushes the relay. Idempotent.
    void Stop();
    /// Start(), wait for SIGTERM/SIGINT (or a Stop() from elsewhere), Stop(); returns the process exit
    /// status (70 when the stop outlived SHUTDOWN_TIMEOUT).
    int Run();

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace marketplace::service
