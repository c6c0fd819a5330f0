#pragma once
// Wakes the open workroom streams of this process when something happens in one of their rooms,
// whichever replica wrote it: a dedicated connection LISTENs on storage::kFeedChannel. A stored
// event ("e:<room>:<sequence>") marks the room dirty in every stream that covers it (the stream then
// reads the room's events after its cursor through the shared RoomEventCache: one database read
// per new event and process, however many streams cover the room); a typing indicator ("t:<room>:<user>")
// is handed to those streams as it is, never stored; "r:<user>" tells the user's streams that they
// joined a room. After the connection is lost and comes back, every stream re-reads every room;
// streams also re-read on their own every `poll` as a safety net.
//
// A stream either waits for its work (Subscription::Take with a timeout) or, as the gRPC callback
// streams do, registers a waker: a function called on the thread that learns of the work (the
// listener's, or Close()'s) each time something arrives, that must not block and must not call back
// into the feed (it runs under the feed's lock); the stream then takes the work without waiting.
//
// It bounds the open streams (max_per_user, max_total; core::ResourceExhausted beyond) and Close()
// ends them all before the gRPC drain.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "app/room_event_cache.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/service/pg_listener.hpp"

namespace marketplace::core {
class EnvReader;
}

namespace marketplace::workroom {

struct LiveFeedOptions {
    /// Open streams one user may hold in this process (devices, tabs); the component sets it to
    /// STREAM_MAX_PER_USER, which service::StreamLeases also holds across replicas.
    int max_per_user = 8;
    /// STREAM_MAX_TOTAL: open streams of this process.
    int max_total = 10000;
    /// STREAM_POLL: how often an idle stream re-reads its rooms without a wake-up.
    std::chrono::milliseconds poll{5000};
    /// How long the listener waits before connecting again after losing its connection.
    std::chrono::milliseconds reconnect_backoff{1000};
    /// STREAM_WORKERS: the threads that start the streams and read their rooms' events (database
    /// reads, lease renewals), shared by every open stream of the process.
    int workers = 4;

    static LiveFeedOptions FromEnv(core::EnvReader& env);
};

class LiveFeed final {
public:
    LiveFeed(db::PgConfig pg, LiveFeedOptions options);
    ~LiveFeed();
    LiveFeed(const LiveFeed&) = delete;
    LiveFeed& operator=(const LiveFeed&) = delete;

    /// What woke a stream since it last looked.
    struct Work {
        std::set<std::string> dirty_rooms;
        /// (room, user) typing indicators, in arrival order.
        std::vector<std::pair<std::string, std::string>> typing;
        bool rooms_changed = false;
        bool all_dirty = false;
    };

    /// One open stream's registration; unregisters when destroyed.
    class Subscription final {
    public:
        ~Subscription();
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;

        /// The rooms this stream covers (replaces the previous set).
        void SetRooms(const std::set<std::string>& rooms);
        /// Takes what accumulated, waiting up to `timeout` for something, the feed closing, or `until`.
        Work Take(std::chrono::milliseconds timeout);
        bool closed() const;

    private:
        friend class LiveFeed;
        Subscription(LiveFeed* feed, std::string user_id, std::function<void()> waker)
            : feed_(feed), user_id_(std::move(user_id)), waker_(std::move(waker)) {}
        void Signal();
        void MarkDirty(const std::string& room);
        void AddTyping(const std::string& room, const std::string& user);
        void MarkRoomsChanged();
        void MarkAllDirty();
        void Close();

        LiveFeed* feed_;
        std::string user_id_;
        std::function<void()> waker_;  // may be empty
        std::set<std::string> rooms_;  // guarded by the feed's mutex
        mutable std::mutex mu_;
        std::condition_variable cv_;
        Work work_;
        bool closed_ = false;
    };

    /// Registers a stream of `user_id`; `waker` (optional) is called whenever work arrives or the
    /// feed closes (see above). Throws core::ResourceExhausted when the user or the process has as
    /// many open as allowed, core::Unavailable once closed.
    std::unique_ptr<Subscription> Subscribe(const std::string& user_id, std::function<void()> waker = {});

    /// What a NOTIFY payload does (see above); unknown payloads are ignored.
    void Dispatch(const std::string& payload);
    /// Every stream re-reads every room.
    void WakeAll();
    /// Marks `room` dirty in every stream that covers it.
    void WakeRoom(const std::string& room);
    /// When set, a NOTIFY of a stored event with its sequence hands the room to `fill` (called on the
    /// listener's thread under the feed's lock: it must only hand the work on) instead of waking
    /// the room's streams at once; `fill` reads the new events into the cache (RoomEventCache::Fill)
    /// on another thread, then calls WakeRoom. So one thread waits for the database, not every
    /// thread that serves one of the room's streams. Empty: streams are woken at once.
    void SetFill(std::function<void(const std::string& room)> fill);

    void Start();
    /// Ends every open stream and refuses new ones. Idempotent.
    void Close();
    /// Close(), and stops the listener. Idempotent.
    void Stop();

    int open_total() const;
    bool listening() const;
    /// The rooms' latest events, shared by this process's streams.
    RoomEventCache& events() noexcept { return events_; }
    const LiveFeedOptions& options() const noexcept { return options_; }

private:
    void Unsubscribe(Subscription* subscription);
    /// With mu_ held: `subscription` no longer covers `room`.
    void Uncover(const std::string& room, Subscription* subscription);

    db::PgConfig pg_;
    LiveFeedOptions options_;
    mutable std::mutex mu_;
    std::multimap<std::string, Subscription*> by_user_;
    std::map<std::string, std::set<Subscription*>> by_room_;
    bool closed_ = false;
    std::function<void(const std::string& room)> fill_;  // guarded by mu_
    RoomEventCache events_;
    service::PgListener listener_;  // last: stopped (by ~LiveFeed) before the rest goes
};

}  // namespace marketplace::workroom
