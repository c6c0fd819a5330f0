// StreamWorkroom against the real server on a loopback port: the `live` cursor, new messages,
// edits, deletions, read receipts and typing indicators woken by PostgreSQL NOTIFY (the fixture's
// poll fallback is ten minutes), a resume after the last sequence seen that misses nothing and
// repeats nothing, a room joined while streaming, and two replicas on one database serving one room.
#include <catch2/catch.hpp>

#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "workroom_fixture.hpp"

using namespace marketplace;
using namespace marketplace::workroom;
using namespace marketplace::workroom::testing;

TEST_CASE("Stream: starts live at each room's last sequence, then carries posts, edits, deletes and receipts",
          "[workroom][pg]") {
    const auto room = NewRoom();
    Post(room, room.client, "before the stream");
    Stream stream(F(), room.freelancer);
    REQUIRE(stream.cursor.count(room.room_id));
    CHECK(stream.cursor.at(room.room_id) == 2);  // room_created, then the message: nothing replayed
    const auto m = Post(room, room.client, "hello @freelancer");
    auto e = stream.NextIn(room.room_id);
    REQUIRE(e.has_message_posted());
    CHECK(e.sequence() == 3);
    CHECK(e.message_posted().text() == "hello @freelancer");
    {
        v1::EditMessageRequest request;
        request.set_room_id(room.room_id);
        request.set_message_id(m.message_id());
        request.set_text("hello again");
        v1::EditMessageResponse response;
        auto ctx = Context(room.client);
        REQUIRE(F().stub->EditMessage(ctx.get(), request, &response).ok());
    }
    e = stream.NextIn(room.room_id);
    REQUIRE(e.has_message_edited());
    CHECK(e.message_edited().text() == "hello again");
    {
        v1::DeleteMessageRequest request;
        request.set_room_id(room.room_id);
        request.set_message_id(m.message_id());
        v1::DeleteMessageResponse response;
        auto ctx = Context(room.client);
        REQUIRE(F().stub->DeleteMessage(ctx.get(), request, &response).ok());
    }
    e = stream.NextIn(room.room_id);
    REQUIRE(e.has_message_deleted());
    CHECK(e.message_deleted().deleted());
    {
        v1::MarkReadRequest request;
        request.set_room_id(room.room_id);
        v1::MarkReadResponse response;
        auto ctx = Context(room.client);
        REQUIRE(F().stub->MarkRead(ctx.get(), request, &response).ok());
    }
    e = stream.NextIn(room.room_id);
    REQUIRE(e.has_read_receipt());
    CHECK(e.read_receipt().user_id() == room.client);
    CHECK(e.sequence() == 6);
}

TEST_CASE("Stream: typing reaches the other members and is never stored", "[workroom][pg]") {
    const auto room = NewRoom();
    Stream freelancer(F(), room.freelancer);
    Stream client(F(), room.client);
    v1::SendTypingRequest request;
    request.set_room_id(room.room_id);
    v1::SendTypingResponse response;
    auto ctx = Context(room.client);
    REQUIRE(F().stub->SendTyping(ctx.get(), request, &response).ok());
    const auto e = freelancer.NextIn(room.room_id);
    REQUIRE(e.has_typing());
    CHECK(e.typing().user_id() == room.client);
    CHECK(e.sequence() == 0);
    // The typist's own stream skips it: the next thing it sees is the message posted after.
    Post(room, room.freelancer, "after typing");
    CHECK(client.NextIn(room.room_id).has_message_posted());
    InTx([&](pqxx::work& tx) {
        CHECK(tx.exec_params1("SELECT last_sequence FROM rooms WHERE id = $1::uuid", room.room_id)[0].as<int>() == 2);
    });
    // A stranger cannot signal typing in the room.
    auto stranger = Context("stranger-typist");
    CHECK(F().stub->SendTyping(stranger.get(), request, &response).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("Stream: a reconnect after the last sequence seen misses nothing and repeats nothing", "[workroom][pg]") {
    const auto room = NewRoom();
    std::int64_t last_seen = 0;
    {
        Stream first(F(), room.freelancer);
        Post(room, room.client, "m1");
        Post(room, room.client, "m2");
        CHECK(first.NextIn(room.room_id).message_posted().text() == "m1");
        last_seen = first.NextIn(room.room_id).sequence();
    }  // the connection drops
    // Meanwhile: more messages, an edit of one the client saw, a read receipt.
    Post(room, room.client, "m3");
    Post(room, room.client, "m4");
    Post(room, room.freelancer, "m5");
    Stream second(F(), room.freelancer, room.room_id + ":" + std::to_string(last_seen));
    CHECK(second.cursor.at(room.room_id) == last_seen);
    std::vector<std::string> texts;
    std::int64_t expected = last_seen + 1;
    for (int i = 0; i < 3; ++i) {
        const auto e = second.NextIn(room.room_id);
        CHECK(e.sequence() == expected++);  // consecutive: no gap, no duplicate
        texts.push_back(e.message_posted().text());
    }
    CHECK(texts == std::vector<std::string>{"m3", "m4", "m5"});
    // And it is live after the catch-up.
    Post(room, room.client, "m6");
    const auto live = second.NextIn(room.room_id);
    CHECK(live.sequence() == expected);
    CHECK(live.message_posted().text() == "m6");
}

TEST_CASE("Stream: a resume cursor that is malformed is refused, naming the field", "[workroom][pg]") {
    auto ctx = Context("someone");
    v1::StreamWorkroomRequest request;
    request.set_resume_after("not-a-cursor");
    auto reader = F().stub->StreamWorkroom(ctx.get(), request);
    v1::WorkroomEvent e;
    CHECK_FALSE(reader->Read(&e));
    CHECK(reader->Finish().error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ErrorField(*ctx) == "resume_after[0]");
}

TEST_CASE("Stream: a room created while streaming is sent whole", "[workroom][pg]") {
    const std::string user = "freelancer-" + core::NewUuidV4().substr(0, 8);
    Stream stream(F(), user);
    contracts::v1::ContractCreated e;
    e.set_contract_id(core::NewUuidV7());
    e.set_client_id("client-" + core::NewUuidV4().substr(0, 8));
    e.set_freelancer_id(user);
    Deliver(e);
    const auto created = stream.Next();
    REQUIRE(created.has_room_created());
    CHECK(created.sequence() == 1);
    CHECK(created.room_created().contract_id() == e.contract_id());
}

TEST_CASE("Stream: two replicas on one database serve one room", "[workroom][pg]") {
    const auto room = NewRoom();
    Fixture replica;  // a second process's worth: its own Runtime, gRPC port, pool and LISTEN connection
    Stream on_first(F(), room.freelancer);
    Stream on_second(replica, room.client);
    // Posted through the second replica, seen on the first; and the other way round.
    v1::PostMessageRequest request;
    request.set_room_id(room.room_id);
    request.set_text("from replica two");
    v1::PostMessageResponse response;
    auto ctx = Context(replica, room.client, 10);
    REQUIRE(replica.stub->PostMessage(ctx.get(), request, &response).ok());
    const auto seen_first = on_first.NextIn(room.room_id);
    CHECK(seen_first.message_posted().text() == "from replica two");
    CHECK(on_second.NextIn(room.room_id).message_posted().text() == "from replica two");
    Post(room, room.freelancer, "from replica one");
    const auto seen_second = on_second.NextIn(room.room_id);
    CHECK(seen_second.message_posted().text() == "from replica one");
    CHECK(seen_second.sequence() == seen_first.sequence() + 1);
}
