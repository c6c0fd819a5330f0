#include "marketplace/core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>

#include "marketplace/core/clock.hpp"

namespace marketplace::core::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::mutex g_init_mu;
std::string g_service = "marketplace";  // written under g_init_mu before loggers run

thread_local std::string t_trace_id;
thread_local std::string t_request_id;

spdlog::logger& Logger() {
    static std::shared_ptr<spdlog::logger> logger = [] {
        auto l = std::make_shared<spdlog::logger>("json", std::make_shared<spdlog::sinks::stdout_sink_mt>());
        l->set_pattern("%v");
        l->set_level(spdlog::level::trace);
        l->flush_on(spdlog::level::trace);
        return l;
    }();
    return *logger;
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
    Logger().info(Render(level, msg, fields));
}

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
