#pragma once
// What the server's interceptor learns about a call, shared with the handler's CallScope through a
// registry keyed by the call's ServerContext (the two may run on different threads).
#include <map>
#include <memory>
#include <string>

#include <grpcpp/support/string_ref.h>

#include "marketplace/core/clock.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/rpc/auth.hpp"

namespace grpc {
class ServerContextBase;
}

namespace marketplace::rpc::impl {

using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

/// Immutable once registered.
struct CallState {
    std::string method;
    std::string request_id;
    core::TraceContext trace;
    std::string bearer_token;        // empty: none
    bool had_authorization = false;  // an authorization value was present (even a malformed one)
    bool accepted = true;            // false: arrived while the server was draining
    std::shared_ptr<const TokenVerifier> verifier;
    std::shared_ptr<const core::Clock> clock;
};

/// Reads the request id (or makes one), the trace (the caller's child, or a new root) and the
/// bearer token from the client's metadata.
CallState StateFromMetadata(const Metadata& metadata);

void RegisterCall(const grpc::ServerContextBase* context, std::shared_ptr<const CallState> state);
/// Removes the entry of `context` if it is still `state` (a ServerContext's address may already
/// serve a newer call when an older call's interceptor goes away: interceptors are refcounted).
void UnregisterCall(const grpc::ServerContextBase* context, const CallState* state);
/// The registered state, or null.
std::shared_ptr<const CallState> FindCall(const grpc::ServerContextBase* context);

}  // namespace marketplace::rpc::impl
