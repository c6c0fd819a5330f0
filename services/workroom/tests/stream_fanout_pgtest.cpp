// StreamWorkroom as many streams of one process share it (a reactor per stream on gRPC's callback
// API, their reads and writes on the service's stream workers): every stream of a room gets every
// event once and in order; a reader that does not read holds back nobody else and still gets
// everything once it reads; the bounds per user; a cancelled stream gives its slot back; an open
// stream renews its lease (on the service's upkeep threads); an event whose NOTIFY never came is
// found by the poll safety net; a token that expires ends the stream
// UNAUTHENTICATED; closing the feed (a stop) ends the open streams UNAVAILABLE.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <pqxx/pqxx>

#include "marketplace/testing/wait.hpp"
#include "storage/room_store.hpp"
#include "workroom_fixture.hpp"

using namespace marketplace;
using namespace marketplace::workroom;
using namespace marketplace::workroom::testing;
using namespace std::chrono_literals;
using marketplace::testing::WaitUntil;

namespace {

/// A stream whose first event (`live`) has not been read yet.
struct RawStream {
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::ClientReader<v1::WorkroomEvent>> reader;

    bool finished = false;

    RawStream(Fixture& f, const std::string& user, int seconds = 30) : ctx(Context(f, user, seconds)) {
        reader = f.stub->StreamWorkroom(ctx.get(), v1::StreamWorkroomRequest());
    }
    ~RawStream() {
        if (finished) return;
        ctx->TryCancel();
        reader->Finish();
    }
    RawStream(const RawStream&) = delete;
    RawStream& operator=(const RawStream&) = delete;
    v1::WorkroomEvent Next() {
        v1::WorkroomEvent e;
        if (!reader->Read(&e)) throw std::runtime_error("the stream ended");
        return e;
    }
    /// How the stream ended, once it has (every event before is skipped).
    grpc::Status End() {
        v1::WorkroomEvent e;
        while (reader->Read(&e)) {
        }
        finished = true;
        return reader->Finish();
    }
};

}  // namespace

TEST_CASE("Stream fan-out: eight streams of one room each get all of its events once, in order", "[workroom][pg]") {
    const auto room = NewRoom();
    std::vector<std::unique_ptr<Stream>> streams;
    for (int i = 0; i < 4; ++i) {
        streams.push_back(std::make_unique<Stream>(F(), room.client));
        streams.push_back(std::make_unique<Stream>(F(), room.freelancer));
    }
    const std::int64_t start = streams.front()->cursor.at(room.room_id);
    constexpr int kMessages = 40;
    for (int i = 0; i < kMessages; ++i) Post(room, i % 2 ? room.client : room.freelancer, "m" + std::to_string(i));
    for (auto& stream : streams) {
        CHECK(stream->cursor.at(room.room_id) == start);
        for (int i = 0; i < kMessages; ++i) {
            const auto e = stream->NextIn(room.room_id);
            REQUIRE(e.has_message_posted());
            CHECK(e.sequence() == start + 1 + i);  // consecutive: no gap, no duplicate, in order
            CHECK(e.message_posted().text() == "m" + std::to_string(i));
        }
    }
}

TEST_CASE("Stream fan-out: events too large to ride in their NOTIFY arrive in order among those that do",
          "[workroom][pg]") {
    const auto room = NewRoom();
    std::vector<std::unique_ptr<Stream>> streams;
    for (int i = 0; i < 2; ++i) {
        streams.push_back(std::make_unique<Stream>(F(), room.client));
        streams.push_back(std::make_unique<Stream>(F(), room.freelancer));
    }
    const std::int64_t start = streams.front()->cursor.at(room.room_id);
    // Every third text is 4,000 two-byte characters: its event is past what a NOTIFY carries, so the
    // streams read it back; the others come with their NOTIFY.
    const auto text = [](int i) {
        std::string large;
        for (int c = 0; c < 4000; ++c) large += "\u00e9";
        return i % 3 == 0 ? std::to_string(i) + large.substr(std::to_string(i).size() * 2) : "m" + std::to_string(i);
    };
    REQUIRE(text(0).size() > storage::kMaxNotifiedEventBytes);
    constexpr int kMessages = 30;
    for (int i = 0; i < kMessages; ++i) Post(room, i % 2 ? room.client : room.freelancer, text(i));
    for (auto& stream : streams) {
        for (int i = 0; i < kMessages; ++i) {
            const auto e = stream->NextIn(room.room_id);
            REQUIRE(e.has_message_posted());
            CHECK(e.sequence() == start + 1 + i);
            CHECK(e.message_posted().text() == text(i));
        }
    }
}

TEST_CASE("Stream fan-out: a stream whose reader does not read holds back no other stream", "[workroom][pg]") {
    const auto room = NewRoom();
    Stream slow(F(), room.client);
    Stream fast(F(), room.freelancer);
    const std::int64_t start = fast.cursor.at(room.room_id);
    // Far more than gRPC's and the socket's buffers hold for a stream nobody reads.
    constexpr int kMessages = 250;
    const std::string text(3900, 'x');
    for (int i = 0; i < kMessages; ++i) Post(room, room.freelancer, std::to_string(i) + text);
    const auto began = std::chrono::steady_clock::now();
    for (int i = 0; i < kMessages; ++i) {
        const auto e = fast.NextIn(room.room_id);
        REQUIRE(e.sequence() == start + 1 + i);
        CHECK(e.message_posted().text() == std::to_string(i) + text);
    }
    CHECK(std::chrono::steady_clock::now() - began < 20s);
    // And the slow reader, once it reads, gets every one of them, in order.
    for (int i = 0; i < kMessages; ++i) {
        const auto e = slow.NextIn(room.room_id);
        REQUIRE(e.sequence() == start + 1 + i);
        CHECK(e.message_posted().text() == std::to_string(i) + text);
    }
}

TEST_CASE("Stream fan-out: a user's ninth stream is refused; a cancelled one gives its slot back", "[workroom][pg]") {
    const auto room = NewRoom();
    const int before = F().component->feed().open_total();
    std::vector<std::unique_ptr<Stream>> streams;
    for (int i = 0; i < 8; ++i) streams.push_back(std::make_unique<Stream>(F(), room.client));
    CHECK(F().component->feed().open_total() == before + 8);
    {
        RawStream ninth(F(), room.client);
        const auto status = ninth.End();
        CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
        CHECK_THAT(status.error_message(), Catch::Contains("too many open workroom streams"));
    }
    streams.pop_back();  // cancelled by its client
    CHECK(WaitUntil([&] { return F().component->feed().open_total() == before + 7; }, 5s));
    CHECK(WaitUntil([&] { return F().component->leases().OpenForUser(room.client) == 7; }, 5s));
    Stream again(F(), room.client);
    Post(room, room.freelancer, "to the new one");
    CHECK(again.NextIn(room.room_id).message_posted().text() == "to the new one");
}

TEST_CASE("Stream fan-out: an open stream renews its lease, so it keeps counting past the lease's ttl",
          "[workroom][pg]") {
    auto config = FixtureConfig();
    config.streams.ttl = 3s;  // renewed every second while the stream is open
    Fixture replica(std::move(config));
    const auto room = NewRoom();
    RawStream stream(replica, room.freelancer);
    REQUIRE(stream.Next().has_live());
    CHECK(replica.component->leases().OpenForUser(room.freelancer) == 1);
    // The service's clock moves past the ttl twice over; between the moves the stream renews.
    for (int i = 0; i < 3; ++i) {
        replica.clock->Advance(2s);
        std::this_thread::sleep_for(1500ms);  // a token check, then the renewal on the upkeep threads
    }
    CHECK(replica.component->leases().OpenForUser(room.freelancer) == 1);
    Post(room, room.client, "still open");
    CHECK(stream.Next().message_posted().text() == "still open");
    // Once it ends, its lease is given back.
    stream.ctx->TryCancel();
    CHECK(stream.End().error_code() == grpc::StatusCode::CANCELLED);
    CHECK(WaitUntil([&] { return replica.component->leases().OpenForUser(room.freelancer) == 0; }, 5s));
}

TEST_CASE("Stream fan-out: an event stored without a NOTIFY reaches an idle stream at the next poll",
          "[workroom][pg]") {
    auto config = FixtureConfig();
    config.feed.poll = 300ms;
    Fixture replica(std::move(config));
    const auto room = NewRoom();
    RawStream stream(replica, room.freelancer);
    REQUIRE(stream.Next().has_live());
    // Stored as the service stores an event, but its NOTIFY is left out (as if it were lost).
    v1::WorkroomEvent event;
    event.set_room_id(room.room_id);
    event.mutable_read_receipt()->set_user_id(room.client);
    event.mutable_occurred_at()->set_seconds(1700000000);
    replica.InTx([&](pqxx::work& tx) {
        event.set_sequence(tx.exec_params1("UPDATE rooms SET last_sequence = last_sequence + 1 WHERE id = $1::uuid "
                                           "RETURNING last_sequence",
                                           room.room_id)[0]
                               .as<std::int64_t>());
        tx.exec_params(
            "INSERT INTO room_events (room_id, sequence, payload, occurred_at) VALUES ($1::uuid, $2, $3, "
            "now())",
            room.room_id, event.sequence(), pqxx::binarystring(event.SerializeAsString()));
    });
    const auto began = std::chrono::steady_clock::now();
    const auto e = stream.Next();
    CHECK(e.sequence() == event.sequence());
    CHECK(e.read_receipt().user_id() == room.client);
    CHECK(std::chrono::steady_clock::now() - began < 5s);
}

TEST_CASE("Stream fan-out: a stream ends UNAUTHENTICATED soon after its token expires", "[workroom][pg]") {
    Fixture replica;  // its own clock
    const auto room = NewRoom();
    RawStream stream(replica, room.freelancer);
    REQUIRE(stream.Next().has_live());
    Post(room, room.client, "while the token is good");
    CHECK(stream.Next().message_posted().text() == "while the token is good");
    replica.clock->Advance(std::chrono::hours(2));  // past the test tokens' lifetime
    const auto began = std::chrono::steady_clock::now();
    const auto status = stream.End();
    CHECK(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK_THAT(status.error_message(), Catch::Contains("expired"));
    CHECK(std::chrono::steady_clock::now() - began < 5s);  // checked every second
}

TEST_CASE("Stream fan-out: closing the feed ends every open stream UNAVAILABLE, to resume elsewhere",
          "[workroom][pg]") {
    Fixture replica;
    const auto room = NewRoom();
    RawStream a(replica, room.client);
    RawStream b(replica, room.freelancer);
    REQUIRE(a.Next().has_live());
    REQUIRE(b.Next().has_live());
    replica.component->feed().Close();
    for (auto* s : {&a, &b}) {
        const auto status = s->End();
        CHECK(status.error_code() == grpc::StatusCode::UNAVAILABLE);
        CHECK(status.error_message() == "server is shutting down; resume with resume_after");
    }
    CHECK(WaitUntil([&] { return replica.component->feed().open_total() == 0; }, 5s));
    RawStream late(replica, room.client);
    CHECK(late.End().error_code() == grpc::StatusCode::UNAVAILABLE);
}
