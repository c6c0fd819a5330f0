#include "gateway_pg_fixture.hpp"

#include <pqxx/pqxx>

#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/rpc/status.hpp"
#include "marketplace/testing/database.hpp"
#include "workroom_migrations.hpp"

namespace marketplace::workroom::testing {

using namespace std::chrono_literals;

GatewayPgFixture::GatewayPgFixture(const std::string& database, Component::Config config) {
    service::RuntimeConfig c;
    c.name = "workroom";
    c.pg = marketplace::testing::TestDatabase::Shared(database).Config(8);
    c.kafka.bootstrap = "127.0.0.1:9";  // nothing listens: events stay in the outbox
    c.kafka.message_timeout_ms = 1000;
    c.kafka.extra["log_level"] = "0";
    c.server.listen_address = "127.0.0.1:0";
    c.server.drain_timeout = 5s;
    c.server.handle_signals = false;
    c.server.token_verifier = tokens.verifier();
    c.server.clock = clock;
    c.shutdown_timeout = 5s;
    runtime = std::make_unique<service::Runtime>(c, clock);
    runtime->Migrate("workroom", migrations::workroom());
    config.consume_events = false;
    component = std::make_unique<Component>(*runtime, config);
    port = runtime->Start();

    gateway::GatewayConfig g;
    g.http.listen_address = "127.0.0.1:0";
    g.http.threads = 2;
    g.http.drain_timeout = 1s;
    g.upstream_timeout = 5s;
    g.health_timeout = 1s;
    g.ip_limit = {0, 1};
    g.user_limit = {0, 1};
    rpc::ChannelOptions upstream;
    upstream.target = "127.0.0.1:" + std::to_string(port);
    g.upstreams = {{"workroom", upstream}};
    g.auth_channel = upstream;
    gate = std::make_unique<gateway::Gateway>(std::move(g), tokens.verifier());
    gateway_port = gate->Start();
}

GatewayPgFixture::~GatewayPgFixture() { Stop(); }

void GatewayPgFixture::Stop() {
    gate.reset();
    if (runtime && component) runtime->Stop();
    component.reset();
}

std::unique_ptr<grpc::ClientContext> GatewayPgFixture::As(const std::string& user_id, int seconds) const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
    if (!user_id.empty()) ctx->AddMetadata("authorization", "Bearer " + tokens.For(user_id, "freelancer"));
    return ctx;
}

marketplace::testing::HttpHeaders GatewayPgFixture::Bearer(const std::string& user) const {
    return {{"Authorization", "Bearer " + tokens.For(user, "freelancer")}};
}

void GatewayPgFixture::Deliver(const google::protobuf::Message& event) {
    messaging::IncomingEvent in;
    in.id = core::NewUuidV7();
    in.type = event.GetDescriptor()->full_name();
    in.topic = "contracts.events.v1";
    in.payload = event.SerializeAsString();
    in.source = "//marketplace/test";
    const auto handler = component->events().Router().Handler();
    db::InTransaction(runtime->pool(), [&](pqxx::work& tx) { handler(tx, in); });
}

std::string ErrorField(const grpc::ClientContext& context) {
    const auto& trailers = context.GetServerTrailingMetadata();
    const auto it = trailers.find(rpc::kErrorFieldMetadata);
    return it == trailers.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

}  // namespace marketplace::workroom::testing
