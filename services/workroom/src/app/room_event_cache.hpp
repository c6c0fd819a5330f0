#pragma once
// The latest stored events of the rooms this process streams, shared by every open stream: when a
// message reaches a room with twenty connected members, one stream reads it from PostgreSQL and the
// other nineteen take it from here.
//
// For each room the cache holds every stored event with a sequence in (lo, hi], read from the
// database (a read of the events after `a` that returns up to `b` proves that nothing else lies in
// (a, b]), and the highest sequence the room's NOTIFYs announced (`known`). A read after `after` is
// served from memory only when the cache covers (after, known], or `limit` events after `after`;
// otherwise one reader per room goes to the database while the others wait for its result. When the
// notifications cannot be trusted (the LISTEN connection was lost or is back), Forget() drops every
// `known`, and reads go to the database until the next NOTIFY.
//
// Bounded: at most `max_events_per_room` events per room (the oldest go first) and `max_bytes` of
// events in all; the rooms used least recently are dropped first.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::workroom {

using SharedEvent = std::shared_ptr<const v1::WorkroomEvent>;

class RoomEventCache final {
public:
    struct Options {
        std::size_t max_events_per_room = 64;
        std::size_t max_bytes = 32u << 20;
    };
    /// Reads a room's stored events after a sequence, oldest first, at most a limit.
    using Reader =
        std::function<std::vector<v1::WorkroomEvent>(const std::string& room, std::int64_t after, int limit)>;

    RoomEventCache() : RoomEventCache(Options{}) {}
    explicit RoomEventCache(Options options) : options_(options) {}

    /// The room's events after `after`, oldest first, at most `limit` (> 0): from memory when it
    /// holds them, else through `read` (and kept).
    std::vector<SharedEvent> After(const std::string& room, std::int64_t after, int limit, const Reader& read);

    /// Reads into memory the room's events announced beyond what it holds (at most `limit`), so the
    /// streams woken next take them from here: one read, by one thread, while the others go on.
    /// Nothing when nothing is announced beyond the stretch held, or nothing is known.
    void Fill(const std::string& room, int limit, const Reader& read);

    /// A NOTIFY announced the room's event `sequence`.
    void Notified(const std::string& room, std::int64_t sequence);
    /// A NOTIFY brought the room's event itself. It is kept when it follows the stretch held (or
    /// starts one); true when the cache now holds every event announced for the room, so its streams
    /// can take them from memory without a read.
    bool Announced(const std::string& room, SharedEvent event);
    /// A NOTIFY announced an event of the room without its sequence: reads go to the database.
    void NotifiedUnknown(const std::string& room);
    /// Notifications may have been missed: every read goes to the database until the next NOTIFY.
    void Forget();

    struct Stats {
        std::uint64_t hits = 0;
        std::uint64_t reads = 0;
        std::size_t rooms = 0;
        std::size_t bytes = 0;
    };
    Stats stats() const;

private:
    struct Room {
        std::mutex read_mu;  // one database reader per room at a time
        // The rest is guarded by the cache's mutex.
        std::int64_t lo = -1;  // events in (lo, hi] are all here; lo < 0: nothing is
        std::int64_t hi = -1;
        std::int64_t known = -1;  // the highest sequence announced; < 0: unknown
        std::vector<SharedEvent> events;
        std::size_t bytes = 0;
        std::uint64_t used = 0;
    };

    std::shared_ptr<Room> Entry(const std::string& room);
    bool Serve(const Room& r, std::int64_t after, int limit, std::vector<SharedEvent>& out) const;
    void Keep(Room& r, std::int64_t after, const std::vector<SharedEvent>& got);
    void Evict();

    Options options_;
    mutable std::mutex mu_;
    std::map<std::string, std::shared_ptr<Room>> rooms_;
    std::size_t bytes_ = 0;
    std::uint64_t clock_ = 0;
    std::uint64_t hits_ = 0;
    std::uint64_t reads_ = 0;
};

}  // namespace marketplace::workroom
