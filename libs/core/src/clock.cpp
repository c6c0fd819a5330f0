#include "marketplace/core/clock.hpp"
#include "marketplace/core/micros.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>

namespace marketplace::core {

std::shared_ptr<const Clock> SystemClock::Instance() {
    static const auto instance = std::make_shared<const SystemClock>();
    return instance;
}

Clock::TimePoint ManualClock::Now() const {
    std::lock_guard lock(mu_);
    return now_;
}

void ManualClock::Set(TimePoint t) {
    std::lock_guard lock(mu_);
    now_ = t;
}

void ManualClock::Advance(std::chrono::system_clock::duration d) {
    std::lock_guard lock(mu_);
    now_ += d;
}

Clock::TimePoint OffsetFileClock::Now() const {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_read_) {
        next_read_ = now + std::chrono::milliseconds(20);
        std::ifstream in(path_);
        long long seconds = 0;
        if (in >> seconds) offset_ = std::chrono::seconds(seconds);
    }
    return std::chrono::system_clock::now() + offset_;
}

void OffsetFileClock::WriteOffset(const std::string& path, std::chrono::seconds offset) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << offset.count() << "\n";
    }
    std::rename(tmp.c_str(), path.c_str());
}

std::string FormatRfc3339(Clock::TimePoint t) {
    using namespace std::chrono;
    const auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
    long frac = static_cast<long>(us % 1'000'000);
    if (frac < 0) {
        frac += 1'000'000;
        secs -= 1;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[64];
    std::snprintf(out, sizeof out, "%.*s.%06ldZ", static_cast<int>(n), buf, frac);
    return out;
}

}  // namespace marketplace::core

namespace marketplace::core {

std::int64_t MicrosSinceEpoch(Clock::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

Clock::TimePoint TimeFromMicros(std::int64_t micros) {
    return Clock::TimePoint(std::chrono::duration_cast<Clock::TimePoint::duration>(std::chrono::microseconds(micros)));
}

}  // namespace marketplace::core
