#include "log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace marketplace::devbroker {

namespace {
std::mutex log_mutex;

std::string Timestamp() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[40];
    const std::size_t n = std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(buffer + n, sizeof(buffer) - n, ".%03dZ", static_cast<int>(millis));
    return buffer;
}
}  // namespace

void Log(std::string_view message) {
    std::string line = Timestamp();
    line += " devbroker: ";
    for (const char c : message) {
        // Keep one event on one line whatever the message holds.
        line += (c == '\n' || c == '\r') ? ' ' : c;
    }
    line += '\n';
    const std::lock_guard lock(log_mutex);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}

}  // namespace marketplace::devbroker
