#pragma once
// Structured JSON logs, one object per line on stdout:
//   {"ts":"...","level":"info","service":"payments","msg":"...","trace_id":"...","request_id":"...",...}
// The trace and request ids come from the calling thread's LogScope, so a handler sets them once.
// Lines are written by a thread of the logger's own, never by the caller (a stalled stdout does not
// hold up a request); they are all written out when the process exits normally, and Flush() waits for
// what was logged so far (before std::_Exit, or before reading stdout back in a test).
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace marketplace::core::log {

enum class Level { kDebug, kInfo, kWarn, kError };

/// A key and a value; numbers are written as JSON numbers.
struct Field {
    Field(std::string_view k, std::string_view v) : key(k), value(v) {}
    Field(std::string_view k, const char* v) : key(k), value(v) {}
    Field(std::string_view k, const std::string& v) : key(k), value(v) {}
    Field(std::string_view k, long long v) : key(k), value(std::to_string(v)), number(true) {}
    Field(std::string_view k, long v) : key(k), value(std::to_string(v)), number(true) {}
    Field(std::string_view k, int v) : key(k), value(std::to_string(v)), number(true) {}
    Field(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)), number(true) {}
    Field(std::string_view k, unsigned v) : key(k), value(std::to_string(v)), number(true) {}
    Field(std::string_view k, double v) : key(k), value(std::to_string(v)), number(true) {}
    Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), number(true) {}
    std::string key;
    std::string value;
    bool number = false;
};
using Fields = std::initializer_list<Field>;

/// Sets the service name and minimum level (from MARKETPLACE_LOG_LEVEL when `level_name` is empty).
void Init(std::string_view service, std::string_view level_name = {});
Level ParseLevel(std::string_view name);
void SetLevel(Level level);
bool Enabled(Level level);

void Write(Level level, std::string_view msg, Fields fields = {});
inline void Debug(std::string_view msg, Fields fields = {}) { Write(Level::kDebug, msg, fields); }
inline void Info(std::string_view msg, Fields fields = {}) { Write(Level::kInfo, msg, fields); }
inline void Warn(std::string_view msg, Fields fields = {}) { Write(Level::kWarn, msg, fields); }
inline void Error(std::string_view msg, Fields fields = {}) { Write(Level::kError, msg, fields); }

/// Returns once every line logged before the call has been written to stdout.
void Flush();
/// Lines waiting for the writer at most; past that, debug and info lines are dropped and counted (a
/// warn line reports how many), warnings and errors wait for room.
inline constexpr std::size_t kMaxQueuedLines = 16384;

/// Renders one log line (without the newline); exposed for tests.
std::string Render(Level level, std::string_view msg, Fields fields);

/// Appends `s` to `out` as a JSON string literal body (no quotes), escaping as RFC 8259 requires.
void AppendJsonEscaped(std::string& out, std::string_view s);

/// Sets the calling thread's trace and request ids until destroyed (then restores the previous ones).
class LogScope final {
public:
    LogScope(std::string trace_id, std::string request_id);
    ~LogScope();
    LogScope(const LogScope&) = delete;
    LogScope& operator=(const LogScope&) = delete;

    static const std::string& CurrentTraceId();
    static const std::string& CurrentRequestId();

private:
    std::string previous_trace_id_;
    std::string previous_request_id_;
};

}  // namespace marketplace::core::log
