#include "marketplace/testing/in_process_service.hpp"

#include <pqxx/pqxx>

#include "marketplace/core/ids.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/testing/database.hpp"

namespace marketplace::testing {
namespace {

service::RuntimeConfig TestRuntimeConfig(const std::string& name, int pool_size,
                                         const std::shared_ptr<core::ManualClock>& clock,
                                         const tokens::TestTokens& tokens) {
    service::RuntimeConfig c;
    c.name = name;
    c.pg = TestDatabase::Shared(name).Config(pool_size);
    // Nothing listens here: published events stay in the outbox, where the tests read them.
    c.kafka.bootstrap = "127.0.0.1:9";
    c.kafka.message_timeout_ms = 1000;
    c.kafka.reconnect_backoff_max_ms = 1000;
    c.kafka.extra["log_level"] = "0";
    c.server.listen_address = "127.0.0.1:0";
    c.server.drain_timeout = std::chrono::seconds(30);
    c.server.handle_signals = false;
    c.server.token_verifier = tokens.verifier();
    c.server.clock = clock;
    c.shutdown_timeout = std::chrono::seconds(5);
    return c;
}

}  // namespace

InProcessRuntime::InProcessRuntime(const std::string& name, int pool_size,
                                   const std::vector<db::MigrationFile>& migrations)
    : clock(std::make_shared<core::ManualClock>()), tokens(tokens::TestTokensOptions{.clock = clock}) {
    runtime = std::make_unique<service::Runtime>(TestRuntimeConfig(name, pool_size, clock, tokens), clock);
    runtime->Migrate(name, migrations);
}

InProcessRuntime::~InProcessRuntime() = default;

void InProcessRuntime::InTx(const std::function<void(pqxx::work&)>& fn) const {
    db::InTransaction(runtime->pool(), fn);
}

int InProcessRuntime::OutboxCount(const std::string& event_type, const std::string& event_key) const {
    int n = 0;
    InTx([&](pqxx::work& tx) {
        n = db::Exec1(tx, "SELECT count(*) FROM outbox WHERE event_type = $1 AND event_key = $2", event_type,
                      event_key)[0]
                .as<int>();
    });
    return n;
}

messaging::IncomingEvent TestEvent(const google::protobuf::Message& event, const std::string& event_id) {
    messaging::IncomingEvent e;
    e.id = event_id.empty() ? core::NewUuidV7() : event_id;
    e.type = event.GetDescriptor()->full_name();
    const auto service = e.type.substr(12, e.type.find('.', 12) - 12);  // after "marketplace."
    e.topic = service + ".events.v1";
    e.payload = event.SerializeAsString();
    e.source = "//marketplace/test";
    return e;
}

std::string ErrorField(const grpc::ClientContext& context) {
    const auto& trailers = context.GetServerTrailingMetadata();
    const auto it = trailers.find("x-error-field");
    return it == trailers.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

}  // namespace marketplace::testing
