#include "marketplace/core/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "marketplace/core/clock.hpp"

namespace marketplace::core::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::mutex g_init_mu;
std::string g_service = "marketplace";  // written under g_init_mu before loggers run

thread_local std::string t_trace_id;
thread_local std::string t_request_id;

/// Writes `data` to stdout (fd 1) in full, retrying after a signal; gives up on any other error
/// (a closed stdout must not stop the service).
void WriteAll(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

/// The lines go out on a thread of their own, so a request never waits for stdout (a slow pipe, a
/// full disk, a log collector that stalls): Write queues the line and returns. The writer takes
/// everything queued at once and writes it with one system call. At most kMaxQueuedLines wait; past
/// that, debug and info lines are dropped and counted (the writer reports the count in a warn line),
/// while warnings and errors wait for room. At exit the queue is written out; Flush() waits for it.
class Writer final {
public:
    static constexpr std::size_t kMaxQueued = kMaxQueuedLines;

    Writer() : thread_([this] { Run(); }) {}
    /// Writes out what is queued and ends the thread; lines logged afterwards are written directly.
    void Stop() {
        {
            std::lock_guard lock(mu_);
            if (stopping_) return;
            stopping_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    void Push(Level level, std::string line) {
        line += '\n';
        std::unique_lock lock(mu_);
        if (stopped_) {  // at exit, after the writer ended: straight out
            lock.unlock();
            WriteAll(line);
            return;
        }
        if (queue_.size() >= kMaxQueued) {
            if (level < Level::kWarn) {
                ++dropped_;
                return;
            }
            room_.wait(lock, [&] { return queue_.size() < kMaxQueued || stopped_; });
        }
        const bool was_empty = queue_.empty();
        queue_.push_back(std::move(line));
        ++queued_;
        lock.unlock();
        if (was_empty) wake_.notify_one();
    }

    void Flush() {
        std::unique_lock lock(mu_);
        const std::uint64_t target = queued_;
        flushed_.wait(lock, [&] { return written_ >= target || stopped_; });
    }

private:
    void Run() {
        std::vector<std::string> batch;
        std::string out;
        std::unique_lock lock(mu_);
        for (;;) {
            wake_.wait(lock, [&] { return !queue_.empty() || dropped_ > 0 || stopping_; });
            if (queue_.empty() && dropped_ == 0 && stopping_) break;
            batch.swap(queue_);
            const std::uint64_t dropped = dropped_;
            dropped_ = 0;
            lock.unlock();
            room_.notify_all();
            out.clear();
            for (const auto& line : batch) out += line;
            if (dropped > 0) {
                out += Render(Level::kWarn, "log lines dropped: stdout did not keep up",
                              {{"dropped", static_cast<unsigned long>(dropped)}});
                out += '\n';
            }
            WriteAll(out);
            const std::uint64_t count = batch.size();
            batch.clear();
            lock.lock();
            written_ += count;
            flushed_.notify_all();
        }
        stopped_ = true;
        room_.notify_all();
        flushed_.notify_all();
    }

    std::mutex mu_;
    std::condition_variable wake_;     // the writer: something to write, or stop
    std::condition_variable room_;     // a warning or an error waiting for room in the queue
    std::condition_variable flushed_;  // Flush() callers
    std::vector<std::string> queue_;
    std::uint64_t queued_ = 0;
    std::uint64_t written_ = 0;
    std::uint64_t dropped_ = 0;
    bool stopping_ = false;
    bool stopped_ = false;
    std::thread thread_;  // last: starts once the rest exists
};

Writer& TheWriter() {
    // Never destroyed: objects whose destructors log may outlive any static. At exit the queue is
    // written out and later lines go straight to stdout.
    static Writer* writer = [] {
        auto* w = new Writer;
        std::atexit([] { TheWriter().Stop(); });
        return w;
    }();
    return *writer;
}

std::string_view LevelName(Level l) {
    switch (l) {
        case Level::kDebug:
            return "debug";
        case Level::kInfo:
            return "info";
        case Level::kWarn:
            return "warn";
        case Level::kError:
            return "error";
    }
    return "info";
}

}  // namespace

Level ParseLevel(std::string_view name) {
    if (name == "debug") return Level::kDebug;
    if (name == "warn" || name == "warning") return Level::kWarn;
    if (name == "error") return Level::kError;
    return Level::kInfo;
}

void Init(std::string_view service, std::string_view level_name) {
    std::lock_guard lock(g_init_mu);
    g_service = std::string(service);
    if (level_name.empty()) {
        const char* env = std::getenv("MARKETPLACE_LOG_LEVEL");
        level_name = env != nullptr ? env : "info";
    }
    g_level = ParseLevel(level_name);
}

void SetLevel(Level level) { g_level = level; }

bool Enabled(Level level) { return static_cast<int>(level) >= static_cast<int>(g_level.load()); }

void AppendJsonEscaped(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 0xF];
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
}

std::string Render(Level level, std::string_view msg, Fields fields) {
    std::string line;
    line.reserve(160 + msg.size());
    line += "{\"ts\":\"";
    line += FormatRfc3339(std::chrono::system_clock::now());
    line += "\",\"level\":\"";
    line += LevelName(level);
    line += "\",\"service\":\"";
    AppendJsonEscaped(line, g_service);
    line += "\",\"msg\":\"";
    AppendJsonEscaped(line, msg);
    line += '"';
    if (!t_trace_id.empty()) {
        line += ",\"trace_id\":\"";
        AppendJsonEscaped(line, t_trace_id);
        line += '"';
    }
    if (!t_request_id.empty()) {
        line += ",\"request_id\":\"";
        AppendJsonEscaped(line, t_request_id);
        line += '"';
    }
    for (const auto& f : fields) {
        line += ",\"";
        AppendJsonEscaped(line, f.key);
        line += "\":";
        if (f.number) {
            line += f.value;
        } else {
            line += '"';
            AppendJsonEscaped(line, f.value);
            line += '"';
        }
    }
    line += '}';
    return line;
}

void Write(Level level, std::string_view msg, Fields fields) {
    if (!Enabled(level)) return;
    TheWriter().Push(level, Render(level, msg, fields));
}

void Flush() { TheWriter().Flush(); }

LogScope::LogScope(std::string trace_id, std::string request_id)
    : previous_trace_id_(std::move(t_trace_id)), previous_request_id_(std::move(t_request_id)) {
    t_trace_id = std::move(trace_id);
    t_request_id = std::move(request_id);
}

LogScope::~LogScope() {
    t_trace_id = std::move(previous_trace_id_);
    t_request_id = std::move(previous_request_id_);
}

const std::string& LogScope::CurrentTraceId() { return t_trace_id; }
const std::string& LogScope::CurrentRequestId() { return t_request_id; }

}  // namespace marketplace::core::log
