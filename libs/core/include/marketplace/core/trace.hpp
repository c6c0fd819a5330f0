#pragma once
// W3C Trace Context: the `traceparent` header that follows a request from the gateway through
// gRPC metadata and Kafka headers into every log line.
#include <optional>
#include <string>
#include <string_view>

namespace marketplace::core {

struct TraceContext {
    std::string trace_id;  // 32 lower-case hex characters, not all zero
    std::string span_id;   // 16 lower-case hex characters, not all zero
    bool sampled = true;

    /// A new trace with a random trace id and span id.
    static TraceContext NewRoot();
    /// Parses "00-<trace_id>-<span_id>-<flags>"; nullopt when malformed (the caller starts a new trace).
    static std::optional<TraceContext> Parse(std::string_view traceparent);
    /// The same trace, a new span id: what a hop passes on.
    TraceContext Child() const;
    std::string ToTraceparent() const;
};

}  // namespace marketplace::core
