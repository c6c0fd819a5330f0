#include "edge/request_ids.hpp"

#include "marketplace/core/ids.hpp"
#include "marketplace/rpc/call_scope.hpp"

namespace marketplace::gateway {

RequestIds MakeRequestIds(std::string_view x_request_id, std::string_view traceparent) {
    RequestIds ids;
    ids.request_id = rpc::IsAcceptableRequestId(x_request_id) ? std::string(x_request_id) : core::NewUuidV4();
    const auto incoming = core::TraceContext::Parse(traceparent);
    ids.trace = incoming ? incoming->Child() : core::TraceContext::NewRoot();
    return ids;
}

bool IsAcceptableIdempotencyKey(std::string_view key) {
    if (key.empty() || key.size() > 255) return false;
    for (const char c : key) {
        if (c < 0x21 || c > 0x7E) return false;
    }
    return true;
}

}  // namespace marketplace::gateway
