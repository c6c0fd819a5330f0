#pragma once
// Request ids and traces at the edge: X-Request-Id is kept when acceptable (else a new one),
// traceparent is continued with a new span of the gateway (else a new trace). Both go upstream as
// metadata and back to the client as response headers.
#include <string>
#include <string_view>

#include "marketplace/core/trace.hpp"

namespace marketplace::gateway {

struct RequestIds {
    std::string request_id;
    core::TraceContext trace;  // the gateway's span: what goes upstream and back to the client
};

RequestIds MakeRequestIds(std::string_view x_request_id, std::string_view traceparent);

/// True for 1..255 printable ASCII characters (what an Idempotency-Key may hold).
bool IsAcceptableIdempotencyKey(std::string_view key);

}  // namespace marketplace::gateway
