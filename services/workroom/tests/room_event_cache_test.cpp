// The shared cache of rooms' latest events: what it serves from memory, when it reads, one reader per
// room however many streams ask at once, its bounds, and (randomized against a model of the room's
// event log) that whatever it returns is exactly the log's next events, with nothing announced left
// out.
#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <random>
#include <thread>

#include "app/room_event_cache.hpp"

using namespace marketplace;
using namespace marketplace::workroom;

namespace {

// A room's stored events, sequences 1..n, and a reader over them that counts its calls.
struct Log {
    std::map<std::string, std::int64_t> last;
    std::atomic<int> reads{0};

    RoomEventCache::Reader Reader() {
        return [this](const std::string& room, std::int64_t after, int limit) {
            ++reads;
            std::vector<v1::WorkroomEvent> out;
            for (std::int64_t s = after + 1; s <= last[room] && static_cast<int>(out.size()) < limit; ++s) {
                v1::WorkroomEvent e;
                e.set_room_id(room);
                e.set_sequence(s);
                e.mutable_message_posted()->set_text(std::string(100, 'x'));
                out.push_back(e);
            }
            return out;
        };
    }
};

std::vector<std::int64_t> Sequences(const std::vector<SharedEvent>& events) {
    std::vector<std::int64_t> out;
    for (const auto& e : events) out.push_back(e->sequence());
    return out;
}

}  // namespace

TEST_CASE("Room event cache: announced events read once, then served from memory", "[workroom][unit]") {
    RoomEventCache cache;
    Log log;
    const auto read = log.Reader();
    log.last["r"] = 3;
    // Nothing announced yet: every read goes to the database.
    CHECK(Sequences(cache.After("r", 0, 50, read)) == std::vector<std::int64_t>{1, 2, 3});
    CHECK(Sequences(cache.After("r", 0, 50, read)) == std::vector<std::int64_t>{1, 2, 3});
    CHECK(log.reads == 2);
    // Announced and held: from memory, from any cursor within it, limited.
    cache.Notified("r", 3);
    CHECK(Sequences(cache.After("r", 1, 50, read)) == std::vector<std::int64_t>{2, 3});
    CHECK(Sequences(cache.After("r", 0, 2, read)) == std::vector<std::int64_t>{1, 2});
    CHECK(cache.After("r", 3, 50, read).empty());
    CHECK(log.reads == 2);
    // A new event announced: one read, then memory again.
    log.last["r"] = 4;
    cache.Notified("r", 4);
    CHECK(Sequences(cache.After("r", 3, 50, read)) == std::vector<std::int64_t>{4});
    CHECK(Sequences(cache.After("r", 2, 50, read)) == std::vector<std::int64_t>{3, 4});
    CHECK(log.reads == 3);
    // Once notifications may have been missed, reads go to the database until the next one.
    log.last["r"] = 6;
    cache.Forget();
    CHECK(Sequences(cache.After("r", 4, 50, read)) == std::vector<std::int64_t>{5, 6});
    CHECK(log.reads == 4);
    // A replica that does not say the sequence: the database.
    cache.Notified("r", 6);
    cache.NotifiedUnknown("r");
    CHECK(Sequences(cache.After("r", 5, 50, read)) == std::vector<std::int64_t>{6});
    CHECK(log.reads == 5);
}

TEST_CASE("Room event cache: streams woken together make one read", "[workroom][unit]") {
    RoomEventCache cache;
    Log log;
    log.last["r"] = 10;
    const auto inner = log.Reader();
    const RoomEventCache::Reader slow = [&](const std::string& room, std::int64_t after, int limit) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the others queue behind it
        return inner(room, after, limit);
    };
    cache.Notified("r", 10);
    std::vector<std::thread> streams;
    std::atomic<int> right{0};
    for (int i = 0; i < 16; ++i) {
        streams.emplace_back([&] {
            if (Sequences(cache.After("r", 8, 50, slow)) == std::vector<std::int64_t>{9, 10}) ++right;
        });
    }
    for (auto& t : streams) t.join();
    CHECK(right == 16);
    CHECK(log.reads == 1);
}

TEST_CASE("Room event cache: bounded per room and in bytes", "[workroom][unit]") {
    RoomEventCache cache({.max_events_per_room = 4, .max_bytes = 1u << 20});
    Log log;
    const auto read = log.Reader();
    log.last["r"] = 10;
    cache.Notified("r", 10);
    CHECK(cache.After("r", 0, 50, read).size() == 10);
    CHECK(log.reads == 1);
    // Only the latest four are held: a cursor before them reads again, one within them does not.
    CHECK(cache.After("r", 2, 50, read).size() == 8);
    CHECK(log.reads == 2);
    CHECK(Sequences(cache.After("r", 7, 50, read)) == std::vector<std::int64_t>{8, 9, 10});
    CHECK(log.reads == 2);

    RoomEventCache small({.max_events_per_room = 64, .max_bytes = 4096});
    for (int i = 0; i < 100; ++i) {
        const auto room = "room-" + std::to_string(i);
        log.last[room] = 5;
        small.Notified(room, 5);
        CHECK(small.After(room, 0, 50, read).size() == 5);
    }
    CHECK(small.stats().bytes <= 4096 + 5 * 200);  // at most the room read last beyond the budget
    CHECK(small.stats().rooms < 100);
}

namespace {

// Random histories of three rooms' logs against the cache: events commit, their NOTIFYs arrive later
// and in order (each through `notify`), the listener's connection is sometimes lost (`Forget`), and
// reads from random cursors with random limits must return exactly the log's next events, with
// nothing announced left out.
using Notify =
    std::function<void(RoomEventCache& cache, const std::string& room, std::int64_t sequence, std::mt19937& rng)>;

void RandomHistories(std::uint32_t seed, const Notify& notify, bool forget_clears_announced) {
    std::mt19937 rng(seed);
    for (int round = 0; round < 50; ++round) {
        RoomEventCache cache({.max_events_per_room = 1 + rng() % 8, .max_bytes = 1u << 20});
        Log log;
        const auto read = log.Reader();
        std::map<std::string, std::int64_t> announced;
        const std::vector<std::string> rooms{"a", "b", "c"};
        for (int step = 0; step < 400; ++step) {
            const auto& room = rooms[rng() % rooms.size()];
            switch (rng() % 6) {
                case 0:
                case 1:  // an event committed; its NOTIFY may come later
                    ++log.last[room];
                    break;
                case 2:  // the NOTIFYs due arrive, in order
                    for (auto s = announced[room] + 1; s <= log.last[room]; ++s) notify(cache, room, s, rng);
                    announced[room] = log.last[room];
                    break;
                case 3:
                    if (rng() % 10 == 0) {
                        cache.Forget();
                        if (forget_clears_announced) announced.clear();
                    }
                    break;
                default: {
                    const std::int64_t after = log.last[room] == 0 ? 0 : rng() % (log.last[room] + 1);
                    const int limit = 1 + static_cast<int>(rng() % 6);
                    const auto got = Sequences(cache.After(room, after, limit, read));
                    // Exactly the log's next events: no gap, nothing invented.
                    for (std::size_t i = 0; i < got.size(); ++i)
                        REQUIRE(got[i] == after + 1 + static_cast<std::int64_t>(i));
                    REQUIRE(static_cast<int>(got.size()) <= limit);
                    // Everything announced (up to the limit) is there.
                    const auto due = std::min<std::int64_t>(announced[room] - after, limit);
                    REQUIRE(static_cast<std::int64_t>(got.size()) >= due);
                    break;
                }
            }
        }
    }
}

SharedEvent EventOf(const std::string& room, std::int64_t sequence) {
    auto e = std::make_shared<v1::WorkroomEvent>();
    e->set_room_id(room);
    e->set_sequence(sequence);
    e->mutable_message_posted()->set_text(std::string(100, 'x'));
    return e;
}

}  // namespace

TEST_CASE("Room event cache: randomized against the room's log, never a gap, never an announced event missing",
          "[workroom][unit]") {
    RandomHistories(
        20261207,
        [](RoomEventCache& cache, const std::string& room, std::int64_t s, std::mt19937&) { cache.Notified(room, s); },
        /*forget_clears_announced=*/true);
}

TEST_CASE("Room event cache: events brought by their NOTIFY are served without a read", "[workroom][unit]") {
    RoomEventCache cache;
    Log log;
    const auto read = log.Reader();
    // Nothing held yet: the first event announced with its bytes starts the stretch.
    log.last["r"] = 5;
    CHECK(cache.Announced("r", EventOf("r", 5)));
    CHECK(Sequences(cache.After("r", 4, 50, read)) == std::vector<std::int64_t>{5});
    CHECK(cache.After("r", 5, 50, read).empty());
    CHECK(log.reads == 0);
    // The next ones extend it.
    log.last["r"] = 7;
    CHECK(cache.Announced("r", EventOf("r", 6)));
    CHECK(cache.Announced("r", EventOf("r", 7)));
    CHECK(Sequences(cache.After("r", 4, 50, read)) == std::vector<std::int64_t>{5, 6, 7});
    CHECK(log.reads == 0);
    // A cursor from before the stretch still reads the database.
    CHECK(Sequences(cache.After("r", 2, 50, read)) == std::vector<std::int64_t>{3, 4, 5, 6, 7});
    CHECK(log.reads == 1);
    // An announcement missed (8): 9 starts a new stretch; a reader at 7 goes to the database, one at 8 does not.
    log.last["r"] = 9;
    CHECK(cache.Announced("r", EventOf("r", 9)));
    CHECK(Sequences(cache.After("r", 8, 50, read)) == std::vector<std::int64_t>{9});
    CHECK(log.reads == 1);
    CHECK(Sequences(cache.After("r", 7, 50, read)) == std::vector<std::int64_t>{8, 9});
    CHECK(log.reads == 2);
    // The same event twice (read back and announced) is held once.
    log.last["r"] = 10;
    cache.Notified("r", 10);
    CHECK(Sequences(cache.After("r", 9, 50, read)) == std::vector<std::int64_t>{10});
    CHECK(cache.Announced("r", EventOf("r", 10)));
    CHECK(Sequences(cache.After("r", 8, 50, read)) == std::vector<std::int64_t>{9, 10});
    // A later sequence already announced without its bytes: the cache does not hold everything.
    log.last["r"] = 12;
    cache.Notified("r", 12);
    CHECK_FALSE(cache.Announced("r", EventOf("r", 11)));
    CHECK(Sequences(cache.After("r", 10, 50, read)) == std::vector<std::int64_t>{11, 12});
}

TEST_CASE("Room event cache: events brought by their NOTIFY stay within the bounds, their bytes counted",
          "[workroom][unit]") {
    RoomEventCache cache({.max_events_per_room = 4, .max_bytes = 1u << 20});
    Log log;
    const auto read = log.Reader();
    const auto size = EventOf("r", 1)->ByteSizeLong();
    for (std::int64_t s = 1; s <= 10; ++s) CHECK(cache.Announced("r", EventOf("r", s)));
    CHECK(cache.stats().bytes == 4 * size);
    log.last["r"] = 10;
    CHECK(Sequences(cache.After("r", 6, 50, read)) == std::vector<std::int64_t>{7, 8, 9, 10});
    CHECK(log.reads == 0);
    CHECK(Sequences(cache.After("r", 5, 50, read)) == std::vector<std::int64_t>{6, 7, 8, 9, 10});
    CHECK(log.reads == 1);
    // The read kept 6..10 (then the bound, 7..10): the count stays exact.
    CHECK(cache.stats().bytes == 4 * size);
    CHECK(cache.Announced("r", EventOf("r", 11)));
    CHECK(cache.stats().bytes == 4 * size);
}

TEST_CASE("Room event cache: randomized with events brought by their NOTIFY, never a gap, never one missing",
          "[workroom][unit]") {
    // Most NOTIFYs bring their event, some only name it, some are lost (the listener's connection
    // dropped: everything announced is forgotten, and later reads must still leave nothing out).
    RandomHistories(
        20261208,
        [](RoomEventCache& cache, const std::string& room, std::int64_t s, std::mt19937& rng) {
            const auto kind = rng() % 10;
            if (kind < 7) {
                cache.Announced(room, EventOf(room, s));
            } else if (kind < 9) {
                cache.Notified(room, s);
            } else {
                cache.Forget();
            }
        },
        /*forget_clears_announced=*/false);
}
