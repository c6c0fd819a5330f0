#pragma once
// One dedicated PostgreSQL connection that LISTENs on a channel, on a thread of its own: what wakes
// the live streams of any replica when another replica commits (each write NOTIFYs in its
// transaction, so the wake-up comes after the commit). When the connection is lost it connects
// again after `reconnect_backoff`; `on_listening` runs each time the LISTEN is in place (streams
// re-read what they may have missed while nobody listened) and `on_lost` each time it is lost.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace marketplace::service {

class PgListener final {
public:
    struct Handlers {
        /// Each NOTIFY's payload.
        std::function<void(const std::string& payload)> notify;
        std::function<void()> on_listening;
        std::function<void()> on_lost;
    };

    /// `name` appears in the log lines ("notification feed", "workroom feed").
    PgListener(std::string name, std::string conninfo, std::string channel, std::chrono::milliseconds reconnect_backoff,
               Handlers handlers);
    ~PgListener();
    PgListener(const PgListener&) = delete;
    PgListener& operator=(const PgListener&) = delete;

    /// Starts the thread (once; not after Stop).
    void Start();
    /// Stops the thread and waits for it. Idempotent.
    void Stop();
    /// True while the LISTEN is in place.
    bool listening() const;

private:
    void Run();
    bool stopping() const;

    std::string name_;
    std::string conninfo_;
    std::string channel_;
    std::chrono::milliseconds reconnect_backoff_;
    Handlers handlers_;
    mutable std::mutex mu_;
    std::condition_variable stop_cv_;
    bool stopping_ = false;
    bool listening_ = false;
    std::thread thread_;
};

}  // namespace marketplace::service
