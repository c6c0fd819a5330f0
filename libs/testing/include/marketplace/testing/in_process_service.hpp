#pragma once
// A service in-process for its pg tests: a fresh database of its own (TestDatabase::Shared), test
// tokens on a manual clock, the Runtime with the service's Component on an ephemeral loopback port, a
// real gRPC channel, and what such tests do besides calling the API: run SQL in a transaction, hand an
// event to the service's own router (as its consumer would), count what the outbox holds. Kafka is
// an address where nothing listens: published events stay in the outbox, where the tests read them.
// A second one on the same database is a second replica. Target marketplace_testing_service.
#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"
#include "marketplace/db/migration_runner.hpp"
#include "marketplace/messaging/event.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/tokens/test_tokens.hpp"

namespace marketplace::testing {

/// The clock, the tokens and the Runtime (migrated, not started) of a service named `name`, on the
/// shared test database `name` with a pool of `pool_size`.
class InProcessRuntime {
public:
    InProcessRuntime(const std::string& name, int pool_size, const std::vector<db::MigrationFile>& migrations);
    virtual ~InProcessRuntime();
    InProcessRuntime(const InProcessRuntime&) = delete;
    InProcessRuntime& operator=(const InProcessRuntime&) = delete;

    void InTx(const std::function<void(pqxx::work&)>& fn) const;
    /// How many events of the full type `event_type` with key `event_key` the outbox holds.
    int OutboxCount(const std::string& event_type, const std::string& event_key) const;

    std::shared_ptr<core::ManualClock> clock;
    tokens::TestTokens tokens;
    std::unique_ptr<service::Runtime> runtime;
};

/// `event` as a consumer receives it, from the topic of the service its type names
/// ("marketplace.contracts.v1.ContractCreated" -> "contracts.events.v1"), with id `event_id` (a new
/// UUIDv7 when empty).
messaging::IncomingEvent TestEvent(const google::protobuf::Message& event, const std::string& event_id = {});

/// The x-error-field trailer of a finished call, or "".
std::string ErrorField(const grpc::ClientContext& context);

/// The service's Component (Component::Config with its events fed by the tests, not consumed) on a
/// started Runtime, and a stub of `Service` on a channel to it.
template <typename Component, typename Service>
class InProcessService : public InProcessRuntime {
public:
    InProcessService(const std::string& name, int pool_size, const std::vector<db::MigrationFile>& migrations,
                     typename Component::Config config)
        : InProcessRuntime(name, pool_size, migrations) {
        config.consume_events = false;
        component = std::make_unique<Component>(*runtime, std::move(config));
        port = runtime->Start();
        stub = Service::NewStub(
            grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
    }
    ~InProcessService() override {
        runtime->Stop();
        component.reset();  // before the runtime it registered with
    }

    /// Hands `event` to the service's router in one transaction, as the consumer does; returns its id.
    std::string Deliver(const google::protobuf::Message& event, const std::string& event_id = {}) {
        const auto incoming = TestEvent(event, event_id);
        const auto handler = component->events().Router().Handler();
        InTx([&](pqxx::work& tx) { handler(tx, incoming); });
        return incoming.id;
    }

    std::unique_ptr<Component> component;
    int port = 0;
    std::unique_ptr<typename Service::Stub> stub;
};

}  // namespace marketplace::testing
