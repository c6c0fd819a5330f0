#pragma once
// The per-call scope a handler opens from its grpc::ServerContext. The server's interceptor reads
// the call's metadata once (request id, traceparent, authorization) and records it under the
// ServerContext; in the sync API the interceptor hooks and the handler may run on different
// threads, so the handler re-enters the call here: CallScope sets the log ids (core LogScope) and
// the current trace on the handler's thread for as long as it lives.
//
//   grpc::Status Add(grpc::ServerContext* ctx, const AddRequest* req, AddResponse* resp) override {
//       return rpc::Handle(ctx, [&](rpc::CallScope& call) {
//           const auto& who = call.RequireClaims();
//           ...
//       });
//   }
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "marketplace/core/log.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/rpc/auth.hpp"
#include "marketplace/rpc/status.hpp"

namespace marketplace::rpc {

namespace impl {
struct CallState;
}  // namespace impl

/// Request ids: the metadata key (echoed in the reply's initial metadata) and the accepted form.
inline constexpr char kRequestIdMetadata[] = "x-request-id";
inline constexpr char kTraceparentMetadata[] = "traceparent";
/// True for 1..128 characters of printable ASCII without spaces; other ids are replaced by a new one.
bool IsAcceptableRequestId(std::string_view id);

/// The trace of the calling thread's current call (set by CallScope or TraceScope), or null.
const core::TraceContext* CurrentTrace() noexcept;

/// Makes `trace` the calling thread's current trace until destroyed (then restores the previous one).
class TraceScope final {
public:
    explicit TraceScope(core::TraceContext trace);
    ~TraceScope();
    TraceScope(const TraceScope&) = delete;
    TraceScope& operator=(const TraceScope&) = delete;

private:
    core::TraceContext trace_;
    const core::TraceContext* previous_;
};

class CallScope final {
public:
    /// Finds what the server's interceptor recorded for `context`; without one (a server not built
    /// by rpc::Server) it derives the ids from the metadata itself.
    explicit CallScope(grpc::ServerContextBase* context);
    /// The same with what a previous scope of this call found (`state()`), for a long-lived call that
    /// opens a scope per turn (a stream on the callback API); null finds it as above.
    CallScope(grpc::ServerContextBase* context, std::shared_ptr<const impl::CallState> state);
    ~CallScope();
    CallScope(const CallScope&) = delete;
    CallScope& operator=(const CallScope&) = delete;

    /// "/package.Service/Method", or empty when unknown (no interceptor).
    const std::string& method() const noexcept;
    const std::string& request_id() const noexcept;
    /// This server's span of the call (a child of the caller's traceparent, or a new root).
    const core::TraceContext& trace() const noexcept;
    grpc::ServerContextBase& context() const noexcept { return *context_; }

    /// The caller's claims, or nullopt when the call carries no bearer token. Throws
    /// core::Unauthenticated when a token is present but does not verify, or no verifier is set up.
    std::optional<Claims> OptionalClaims() const;
    /// The caller's claims; throws core::Unauthenticated when there are none.
    Claims RequireClaims() const;
    /// For a long-lived call (a stream) that began with RequireClaims: throws core::Unauthenticated
    /// once its token has expired ("the access token expired") or no longer verifies, e.g. because the
    /// user's sessions were revoked ("the session was revoked"). Cheap: one signature check.
    void RequireStillValid() const;
    /// RequireStillValid() for `claims`, the claims this call's token gave when it began: for a
    /// stream whose turns each open a scope of their own (the callback API), so a later scope
    /// judges the token by what it said at the start, as one long-lived scope would.
    void RequireStillValid(const Claims& claims) const;
    /// The raw bearer token (to forward to another service), or empty.
    std::string bearer_token() const;

    /// Throws core::Unavailable when the call arrived after the server began to drain.
    void RequireAccepted() const;

    /// What the server's interceptor recorded for the call, to open the call's next scope with.
    const std::shared_ptr<const impl::CallState>& state() const noexcept { return state_; }

private:
    grpc::ServerContextBase* context_;
    std::shared_ptr<const impl::CallState> state_;
    core::log::LogScope log_scope_;
    TraceScope trace_scope_;
    mutable bool claims_checked_ = false;  // OptionalClaims verifies the token once per scope
    mutable std::optional<Claims> claims_;
};

/// Handle (below) with the call's state from an earlier scope of the same call (CallScope::state()),
/// so a stream's turns do not look it up each time.
template <typename Fn>
grpc::Status Handle(grpc::ServerContextBase* context, std::shared_ptr<const impl::CallState> state, Fn&& fn) noexcept {
    try {
        CallScope call(context, std::move(state));
        try {
            call.RequireAccepted();
            if constexpr (std::is_same_v<std::invoke_result_t<Fn&, CallScope&>, grpc::Status>) {
                return fn(call);
            } else {
                fn(call);
                return grpc::Status::OK;
            }
        } catch (...) {
            return StatusFromCurrentException(context);  // still inside the scope: the log line has the ids
        }
    } catch (...) {
        return StatusFromCurrentException(context);
    }
}

/// The handler wrapper: opens the CallScope, refuses calls that arrived during a drain, runs
/// `fn(call)` (returning void or grpc::Status) and maps any exception with StatusFromException
/// (INVALID_ARGUMENT gets x-error-field). Nothing escapes.
template <typename Fn>
grpc::Status Handle(grpc::ServerContextBase* context, Fn&& fn) noexcept {
    return Handle(context, nullptr, std::forward<Fn>(fn));
}

}  // namespace marketplace::rpc
