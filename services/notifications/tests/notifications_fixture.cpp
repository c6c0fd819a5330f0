#include "notifications_fixture.hpp"

#include <pqxx/pqxx>

#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/testing/database.hpp"
#include "notifications_migrations.hpp"

namespace marketplace::notifications::testing {
namespace {

service::RuntimeConfig TestRuntimeConfig(const std::shared_ptr<core::ManualClock>& clock,
                                         const tokens::TestTokens& tokens) {
    service::RuntimeConfig c;
    c.name = "notifications";
    c.pg = marketplace::testing::TestDatabase::Shared("notifications").Config(16);
    // Nothing listens here; the service publishes nothing, and the tests feed events directly.
    c.kafka.bootstrap = "127.0.0.1:9";
    c.kafka.message_timeout_ms = 1000;
    c.kafka.reconnect_backoff_max_ms = 1000;
    c.kafka.extra["log_level"] = "0";
    c.server.listen_address = "127.0.0.1:0";
    c.server.drain_timeout = std::chrono::seconds(30);  // a stream left open would show as CANCELLED
    c.server.handle_signals = false;
    c.server.token_verifier = tokens.verifier();
    c.server.clock = clock;
    c.shutdown_timeout = std::chrono::seconds(5);
    return c;
}

}  // namespace

LiveFeedOptions Fixture::DefaultFeedOptions() {
    LiveFeedOptions o;
    o.poll = std::chrono::minutes(10);
    o.reconnect_backoff = std::chrono::milliseconds(100);
    return o;
}

Fixture::Fixture(LiveFeedOptions feed_options, service::StreamLimits limits, std::string gateway_secret)
    : clock(std::make_shared<core::ManualClock>()), tokens(tokens::TestTokensOptions{.clock = clock}) {
    runtime = std::make_unique<service::Runtime>(TestRuntimeConfig(clock, tokens), clock);
    runtime->Migrate("notifications", migrations::notifications());
    Component::Config config;
    config.feed = feed_options;
    config.streams = limits;
    config.streams.per_user = feed_options.max_per_user;
    config.gateway_secret = std::move(gateway_secret);
    config.consume_events = false;  // the tests feed events to the handlers themselves
    component = std::make_unique<Component>(*runtime, config);
    feed = &component->feed();
    events = &component->events();
    port = runtime->Start();
    stub = v1::NotificationsService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
}

void Fixture::Shutdown() { runtime->Stop(); }

Fixture::~Fixture() {
    Shutdown();
    component.reset();  // before the runtime it registered with
}

Fixture& F() {
    // Built after the shared test database, so destroyed before the database is dropped.
    static Fixture fixture;
    return fixture;
}

void InTx(const std::function<void(pqxx::work&)>& fn) { db::InTransaction(F().runtime->pool(), fn); }

std::string Deliver(const google::protobuf::Message& event, const std::string& event_id) {
    messaging::IncomingEvent e;
    e.id = event_id.empty() ? core::NewUuidV7() : event_id;
    e.type = event.GetDescriptor()->full_name();
    // As the bus delivers it: on the topic of the service that owns the type ("marketplace.<service>.v1.X").
    const auto service = e.type.substr(12, e.type.find('.', 12) - 12);
    e.topic = service + ".events.v1";
    e.payload = event.SerializeAsString();
    e.source = "//marketplace/test";
    const auto handler = F().events->Router().Handler();
    InTx([&](pqxx::work& tx) { handler(tx, e); });
    return e.id;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& user_id, int seconds) {
    return Context(F(), user_id, seconds);
}

std::unique_ptr<grpc::ClientContext> Context(const Fixture& fixture, const std::string& user_id, int seconds) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
    if (!user_id.empty()) ctx->AddMetadata("authorization", "Bearer " + fixture.tokens.For(user_id, "freelancer"));
    return ctx;
}

std::string ErrorField(const grpc::ClientContext& context) {
    const auto& trailers = context.GetServerTrailingMetadata();
    const auto it = trailers.find("x-error-field");
    return it == trailers.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

v1::ListNotificationsResponse List(const std::string& user_id, bool unread_only) {
    v1::ListNotificationsRequest request;
    request.set_page_size(100);
    request.set_unread_only(unread_only);
    v1::ListNotificationsResponse response;
    auto ctx = Context(user_id);
    const auto status = F().stub->ListNotifications(ctx.get(), request, &response);
    if (!status.ok()) throw std::runtime_error("ListNotifications: " + status.error_message());
    return response;
}

}  // namespace marketplace::notifications::testing
