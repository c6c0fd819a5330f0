#include "clans_fixture.hpp"

#include <pqxx/pqxx>

#include "clans_migrations.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/testing/database.hpp"

namespace marketplace::clans::testing {
namespace {

service::RuntimeConfig TestRuntimeConfig(const std::shared_ptr<core::ManualClock>& clock,
                                         const auth::TestTokens& tokens) {
    service::RuntimeConfig c;
    c.name = "clans";
    c.pg = marketplace::testing::TestDatabase::Shared("clans").Config(8);
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

Fixture::Fixture() : clock(std::make_shared<core::ManualClock>()), tokens(auth::TestTokensOptions{.clock = clock}) {
    runtime = std::make_unique<service::Runtime>(TestRuntimeConfig(clock, tokens), clock);
    runtime->Migrate("clans", migrations::clans());
    Component::Config config;
    config.consume_events = false;  // the tests feed events to the handlers themselves
    component = std::make_unique<Component>(*runtime, config);
    port = runtime->Start();
    stub = v1::ClansService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
}

Fixture::~Fixture() {
    runtime->Stop();
    component.reset();  // before the runtime it registered with
}

Fixture& F() {
    static Fixture fixture;
    return fixture;
}

void InTx(const std::function<void(pqxx::work&)>& fn) { db::InTransaction(F().runtime->pool(), fn); }

void Deliver(const google::protobuf::Message& event) {
    messaging::IncomingEvent e;
    e.id = core::NewUuidV7();
    e.type = event.GetDescriptor()->full_name();
    const auto service = e.type.substr(12, e.type.find('.', 12) - 12);
    e.topic = service + ".events.v1";
    e.payload = event.SerializeAsString();
    e.source = "//marketplace/test";
    const auto handler = F().component->events().Router().Handler();
    InTx([&](pqxx::work& tx) { handler(tx, e); });
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& user_id, const std::string& role,
                                             const std::string& key) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!user_id.empty()) ctx->AddMetadata("authorization", "Bearer " + F().tokens.For(user_id, role));
    ctx->AddMetadata("idempotency-key", key.empty() ? core::NewUuidV4() : key);
    return ctx;
}

std::string ErrorField(const grpc::ClientContext& context) {
    const auto& trailers = context.GetServerTrailingMetadata();
    const auto it = trailers.find("x-error-field");
    return it == trailers.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

int OutboxCount(const std::string& type, const std::string& clan_id) {
    int n = 0;
    InTx([&](pqxx::work& tx) {
        n = tx.exec_params1("SELECT count(*) FROM outbox WHERE event_type = $1 AND event_key = $2",
                            "marketplace.clans.v1." + type, clan_id)[0]
                .as<int>();
    });
    return n;
}

}  // namespace marketplace::clans::testing
