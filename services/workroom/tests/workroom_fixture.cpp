#include "workroom_fixture.hpp"

#include <pqxx/pqxx>

#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/workroom/v1/events.pb.h"
#include "workroom_migrations.hpp"

namespace marketplace::workroom::testing {
namespace {

service::RuntimeConfig TestRuntimeConfig(const std::shared_ptr<core::ManualClock>& clock,
                                         const auth::TestTokens& tokens) {
    service::RuntimeConfig c;
    c.name = "workroom";
    c.pg = marketplace::testing::TestDatabase::Shared("workroom").Config(16);
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
    runtime->Migrate("workroom", migrations::workroom());
    Component::Config config;
    config.feed.poll = std::chrono::minutes(10);
    config.feed.reconnect_backoff = std::chrono::milliseconds(100);
    config.consume_events = false;  // the tests feed events to the handlers themselves
    component = std::make_unique<Component>(*runtime, config);
    port = runtime->Start();
    stub = v1::WorkroomService::NewStub(
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

std::string Deliver(const google::protobuf::Message& event, const std::string& event_id) {
    messaging::IncomingEvent e;
    e.id = event_id.empty() ? core::NewUuidV7() : event_id;
    e.type = event.GetDescriptor()->full_name();
    const auto service = e.type.substr(12, e.type.find('.', 12) - 12);
    e.topic = service + ".events.v1";
    e.payload = event.SerializeAsString();
    e.source = "//marketplace/test";
    const auto handler = F().component->events().Router().Handler();
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

Room NewRoom() {
    Room room;
    room.contract_id = core::NewUuidV7();
    room.client = "client-" + core::NewUuidV4().substr(0, 8);
    room.freelancer = "freelancer-" + core::NewUuidV4().substr(0, 8);
    contracts::v1::ContractCreated e;
    e.set_contract_id(room.contract_id);
    e.set_proposal_id(core::NewUuidV7());
    e.set_client_id(room.client);
    e.set_freelancer_id(room.freelancer);
    room.milestone_id = core::NewUuidV7();
    e.add_milestone_ids(room.milestone_id);
    Deliver(e);
    InTx([&](pqxx::work& tx) {
        room.room_id =
            tx.exec_params1("SELECT id::text FROM rooms WHERE contract_id = $1", room.contract_id)[0].c_str();
    });
    return room;
}

v1::Message Post(const Room& room, const std::string& user, const std::string& text,
                 const std::string& parent_message_id) {
    v1::PostMessageRequest request;
    request.set_room_id(room.room_id);
    request.set_text(text);
    request.set_parent_message_id(parent_message_id);
    v1::PostMessageResponse response;
    auto ctx = Context(user);
    const auto status = F().stub->PostMessage(ctx.get(), request, &response);
    if (!status.ok()) throw std::runtime_error("PostMessage: " + status.error_message());
    return response.message();
}

int OutboxCount(const std::string& type, const std::string& key_room) {
    int n = 0;
    InTx([&](pqxx::work& tx) {
        n = tx.exec_params1("SELECT count(*) FROM outbox WHERE event_type = $1 AND event_key = $2",
                            "marketplace.workroom.v1." + type, key_room)[0]
                .as<int>();
    });
    return n;
}

std::vector<std::string> MentionedInOutbox(const std::string& message_id) {
    std::vector<std::string> out;
    InTx([&](pqxx::work& tx) {
        for (const auto& row : tx.exec("SELECT payload FROM outbox WHERE event_type = "
                                       "'marketplace.workroom.v1.MemberMentioned' ORDER BY id")) {
            const pqxx::binarystring bytes(row[0]);
            v1::MemberMentioned m;
            if (m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && m.message_id() == message_id) {
                out.push_back(m.mentioned_user_id());
            }
        }
    });
    return out;
}

Stream::Stream(Fixture& f, const std::string& user, const std::string& resume_after) : ctx(Context(f, user, 30)) {
    v1::StreamWorkroomRequest request;
    request.set_resume_after(resume_after);
    reader = f.stub->StreamWorkroom(ctx.get(), request);
    const auto live = Next();
    if (!live.has_live()) throw std::runtime_error("the first event is not `live`");
    cursor = ParseCursor(live.live().cursor(), "cursor");
}

Stream::~Stream() {
    ctx->TryCancel();
    reader->Finish();
}

v1::WorkroomEvent Stream::Next() {
    v1::WorkroomEvent e;
    if (!reader->Read(&e)) throw std::runtime_error("the stream ended: " + reader->Finish().error_message());
    return e;
}

v1::WorkroomEvent Stream::NextIn(const std::string& room) {
    for (;;) {
        auto e = Next();
        if (e.room_id() == room) return e;
    }
}

}  // namespace marketplace::workroom::testing
