#include "workroom_fixture.hpp"

#include <pqxx/pqxx>

#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "marketplace/workroom/v1/events.pb.h"
#include "workroom_migrations.hpp"

namespace marketplace::workroom::testing {
Component::Config FixtureConfig() {
    Component::Config config;
    config.feed.poll = std::chrono::minutes(10);
    config.feed.reconnect_backoff = std::chrono::milliseconds(100);
    return config;
}

Fixture::Fixture() : Fixture(FixtureConfig()) {}

Fixture::Fixture(Component::Config config)
    : InProcessService("workroom", 16, migrations::workroom(), std::move(config)) {}

Fixture& F() {
    static Fixture fixture;
    return fixture;
}

void InTx(const std::function<void(pqxx::work&)>& fn) { F().InTx(fn); }

std::string Deliver(const google::protobuf::Message& event, const std::string& event_id) {
    return F().Deliver(event, event_id);
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
    return F().OutboxCount("marketplace.workroom.v1." + type, key_room);
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
