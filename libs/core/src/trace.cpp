#include "marketplace/core/trace.hpp"

#include "marketplace/core/ids.hpp"

namespace marketplace::core {
namespace {

bool IsLowerHex(std::string_view s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

bool AllZero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

}  // namespace

TraceContext TraceContext::NewRoot() { return TraceContext{RandomHex(16), RandomHex(8), true}; }

std::optional<TraceContext> TraceContext::Parse(std::string_view h) {
    // version(2) - trace-id(32) - parent-id(16) - flags(2)
    if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
    const auto version = h.substr(0, 2);
    if (!IsLowerHex(version) || version == "ff") return std::nullopt;
    if (version == "00" && h.size() != 55) return std::nullopt;
    if (h.size() > 55 && h[55] != '-') return std::nullopt;
    const auto trace_id = h.substr(3, 32);
    const auto span_id = h.substr(36, 16);
    const auto flags = h.substr(53, 2);
    if (!IsLowerHex(trace_id) || !IsLowerHex(span_id) || !IsLowerHex(flags)) return std::nullopt;
    if (AllZero(trace_id) || AllZero(span_id)) return std::nullopt;
    const int f = std::stoi(std::string(flags), nullptr, 16);
    return TraceContext{std::string(trace_id), std::string(span_id), (f & 1) != 0};
}

TraceContext TraceContext::Child() const { return TraceContext{trace_id, RandomHex(8), sampled}; }

std::string TraceContext::ToTraceparent() const { return "00-" + trace_id + "-" + span_id + (sampled ? "-01" : "-00"); }

}  // namespace marketplace::core
