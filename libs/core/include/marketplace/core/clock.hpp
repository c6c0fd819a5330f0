#pragma once
// An injectable clock: production code asks a Clock for the time, tests move a ManualClock.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace marketplace::core {

class Clock {
public:
    using TimePoint = std::chrono::system_clock::time_point;
    virtual ~Clock() = default;
    virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint Now() const override { return std::chrono::system_clock::now(); }
    /// A process-wide instance.
    static std::shared_ptr<const Clock> Instance();
};

/// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint start = std::chrono::system_clock::now()) : now_(start) {}
    TimePoint Now() const override;
    void Set(TimePoint t);
    void Advance(std::chrono::system_clock::duration d);

private:
    mutable std::mutex mu_;
    TimePoint now_;
};

/// The system clock shifted by a number of seconds read from a file (re-read at most every 20 ms),
/// so a test can move the time of services running as separate processes. Never used in production.
class OffsetFileClock final : public Clock {
public:
    explicit OffsetFileClock(std::string path) : path_(std::move(path)) {}
    TimePoint Now() const override;
    /// Writes `offset` to `path` for the processes reading it (atomically: temp file, then rename).
    static void WriteOffset(const std::string& path, std::chrono::seconds offset);

private:
    std::string path_;
    mutable std::mutex mu_;
    mutable std::chrono::steady_clock::time_point next_read_{};
    mutable std::chrono::seconds offset_{0};
};

/// RFC 3339 in UTC with microseconds: "2026-11-21T14:07:47.123456Z".
std::string FormatRfc3339(Clock::TimePoint t);

}  // namespace marketplace::core
