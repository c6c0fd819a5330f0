#pragma once
// Durable timers: deadlines kept as rows, fired by a scheduler loop. A timer is deleted in the same
// transaction as its handler's effect, and claimed with FOR UPDATE SKIP LOCKED, so it fires exactly
// once however many schedulers run. Time comes from an injectable clock so tests can move it.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/messaging/metrics.hpp"

namespace marketplace::messaging {

struct Timer {
    std::int64_t id = 0;
    std::string kind;
    std::string key;
    core::Clock::TimePoint due_at;
    std::string payload;
    int attempts = 0;
};

/// Creates or moves the timer (kind, key) to fire at `due_at`, in the caller's transaction.
void ScheduleTimer(pqxx::work& tx, const std::string& kind, const std::string& key, core::Clock::TimePoint due_at,
                   const std::string& payload = {});
/// Removes the timer (kind, key) if it exists; returns whether it did.
bool CancelTimer(pqxx::work& tx, const std::string& kind, const std::string& key);

using TimerHandler = std::function<void(pqxx::work& tx, const Timer& timer)>;

struct SchedulerOptions {
    std::chrono::milliseconds poll{200};
    int batch = 100;
    std::chrono::milliseconds retry_base{1000};  // a failing timer is pushed back by this, doubling
    std::chrono::milliseconds retry_max{std::chrono::minutes(10)};
    /// Called after a timer's transaction committed (a service wakes its relay here).
    std::function<void()> after_fire;
};

class TimerScheduler final {
public:
    TimerScheduler(db::PgConfig pg, std::shared_ptr<const core::Clock> clock, SchedulerOptions options = {});
    ~TimerScheduler();
    TimerScheduler(const TimerScheduler&) = delete;
    TimerScheduler& operator=(const TimerScheduler&) = delete;

    /// Registers the handler for a kind (before Start). Timers of unknown kinds are left alone.
    void On(const std::string& kind, TimerHandler handler);
    void Start();
    void Stop();
    /// Fires every due timer once now, on the calling thread; returns how many fired.
    int RunDue();
    /// Timers due more than `grace` ago and not yet fired (a metric).
    std::int64_t Overdue(std::chrono::seconds grace = std::chrono::seconds(0));
    /// Timers fired, by kind.
    const TimerMetrics& metrics() const;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace marketplace::messaging
