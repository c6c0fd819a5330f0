#pragma once
// The workroom service in-process for the pg tests (marketplace/testing/in_process_service.hpp: a
// fresh database, test tokens, the Runtime on an ephemeral port, a real gRPC channel) with the live
// feed LISTENing, and helpers to feed contracts' events through the service's own router (as its
// consumer would) and to call the API. A second Fixture on the same database is a second replica.
//
// The feed's poll fallback is ten minutes, so a stream that gets a new event within a test was woken
// by PostgreSQL NOTIFY, not by polling.
#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include <pqxx/transaction>

#include "component.hpp"
#include "domain/stream_cursor.hpp"
#include "marketplace/testing/in_process_service.hpp"
#include "marketplace/workroom/v1/workroom.grpc.pb.h"

namespace marketplace::workroom::testing {

struct Fixture : marketplace::testing::InProcessService<Component, v1::WorkroomService> {
    Fixture();
    /// With `config` (start from FixtureConfig()).
    explicit Fixture(Component::Config config);
};

/// The fixture's configuration: the feed's poll ten minutes, a quick reconnect.
Component::Config FixtureConfig();

/// The process-wide fixture (one service and database per test binary).
Fixture& F();

void InTx(const std::function<void(pqxx::work&)>& fn);

/// Hands `event` to the service's router in one transaction, as the consumer does; returns its id.
std::string Deliver(const google::protobuf::Message& event, const std::string& event_id = {});

/// A client context for `user_id` (no token when empty), with a token from `fixture`'s issuer.
std::unique_ptr<grpc::ClientContext> Context(const std::string& user_id, int seconds = 10);
std::unique_ptr<grpc::ClientContext> Context(const Fixture& fixture, const std::string& user_id, int seconds);

/// The x-error-field trailer of a finished call, or "".
using marketplace::testing::ErrorField;

/// A contract between two fresh users, its room created from ContractCreated.
struct Room {
    std::string contract_id;
    std::string room_id;
    std::string client;
    std::string freelancer;
    std::string milestone_id;
};
Room NewRoom();

/// PostMessage as `user`; throws on a non-OK status.
v1::Message Post(const Room& room, const std::string& user, const std::string& text,
                 const std::string& parent_message_id = {});

/// How many events of `type` ("TaskUpdated") the outbox holds for `key_room`.
int OutboxCount(const std::string& type, const std::string& key_room);

/// MemberMentioned events in the outbox for `message_id`, by mentioned user.
std::vector<std::string> MentionedInOutbox(const std::string& message_id);

/// A StreamWorkroom call of `user` on `f`, its `live` event read (the cursor it carried kept).
struct Stream {
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::ClientReader<v1::WorkroomEvent>> reader;
    StreamCursor cursor;

    Stream(Fixture& f, const std::string& user, const std::string& resume_after = {});
    ~Stream();
    /// The next event; throws when the stream ended.
    v1::WorkroomEvent Next();
    /// The next event of `room`, skipping other rooms' events.
    v1::WorkroomEvent NextIn(const std::string& room);
};

}  // namespace marketplace::workroom::testing
