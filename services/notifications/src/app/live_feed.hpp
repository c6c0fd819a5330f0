#pragma once
// Wakes the open notification streams of this process when their user gets a notification,
// whichever replica wrote it: a dedicated connection LISTENs on storage::kFeedChannel (each write
// NOTIFYs the user id in its transaction, so the wake-up comes after the commit). After the
// connection is lost and comes back, every stream is woken, since notifications may have been
// missed meanwhile; streams also re-read on their own every `poll` as a safety net.
//
// It also bounds the open streams: at most max_per_user per user and max_total in all
// (core::ResourceExhausted beyond), and Close() ends them all (before the gRPC drain, so a drain
// does not wait on streams that would stay open for hours).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "marketplace/db/pool.hpp"
#include "marketplace/service/pg_listener.hpp"

namespace marketplace::core {
class EnvReader;
}

namespace marketplace::notifications {

struct LiveFeedOptions {
    /// Open streams one user may hold in this process (devices, tabs); the component sets it to
    /// STREAM_MAX_PER_USER, which service::StreamLeases also holds across replicas.
    int max_per_user = 8;
    /// STREAM_MAX_TOTAL: open streams of this process.
    int max_total = 1000;
    /// STREAM_POLL: how often an idle stream re-reads its user's notifications without a wake-up.
    std::chrono::milliseconds poll{5000};
    /// How long the listener waits before connecting again after losing its connection.
    std::chrono::milliseconds reconnect_backoff{1000};

    static LiveFeedOptions FromEnv(core::EnvReader& env);
};

class LiveFeed final {
public:
    /// `pg`: the database to LISTEN on (only its conninfo is used).
    LiveFeed(db::PgConfig pg, LiveFeedOptions options);
    ~LiveFeed();
    LiveFeed(const LiveFeed&) = delete;
    LiveFeed& operator=(const LiveFeed&) = delete;

    /// One open stream's registration; unregisters when destroyed.
    class Subscription final {
    public:
        ~Subscription();
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;

        /// Counts wake-ups; read it before reading the database, then wait for it to change.
        std::uint64_t generation() const;
        /// Waits until the generation differs from `seen`, the feed closes, or `timeout` passes.
        void Wait(std::uint64_t seen, std::chrono::milliseconds timeout) const;
        bool closed() const;

    private:
        friend class LiveFeed;
        Subscription(LiveFeed* feed, std::string user_id) : feed_(feed), user_id_(std::move(user_id)) {}
        void Wake();
        void Close();

        LiveFeed* feed_;
        std::string user_id_;
        mutable std::mutex mu_;
        mutable std::condition_variable cv_;
        std::uint64_t generation_ = 0;
        bool closed_ = false;
    };

    /// Registers a stream of `user_id`. Throws core::ResourceExhausted when the user or the process
    /// has as many open as allowed, core::Unavailable once closed.
    std::unique_ptr<Subscription> Subscribe(const std::string& user_id);

    /// Wakes the streams of `user_id` (what a NOTIFY does).
    void Wake(const std::string& user_id);
    /// Wakes every stream.
    void WakeAll();

    /// Starts the listener thread.
    void Start();
    /// Ends every open stream and refuses new ones (streams see closed()). Idempotent.
    void Close();
    /// Close(), and stops the listener. Idempotent.
    void Stop();

    int open(const std::string& user_id) const;
    int open_total() const;
    /// True while the listener holds a LISTENing connection.
    bool listening() const;
    const LiveFeedOptions& options() const noexcept { return options_; }

private:
    void Unsubscribe(Subscription* subscription);

    db::PgConfig pg_;
    LiveFeedOptions options_;
    mutable std::mutex mu_;
    std::multimap<std::string, Subscription*> subscriptions_;
    bool closed_ = false;
    service::PgListener listener_;  // last: stopped (by ~LiveFeed) before the rest goes
};

}  // namespace marketplace::notifications
