#include "marketplace/rpc/call_scope.hpp"

#include <cctype>

#include <grpcpp/server_context.h>

#include "call_state.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::rpc {
namespace {

thread_local const core::TraceContext* t_current_trace = nullptr;

std::shared_ptr<const impl::CallState> StateFor(grpc::ServerContextBase* context) {
    if (auto state = impl::FindCall(context)) return state;
    return std::make_shared<const impl::CallState>(impl::StateFromMetadata(context->client_metadata()));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<std::string_view> BearerToken(std::string_view authorization) {
    if (authorization.size() <= kBearerPrefix.size()) return std::nullopt;
    if (!EqualsIgnoreCase(authorization.substr(0, kBearerPrefix.size()), kBearerPrefix)) return std::nullopt;
    auto token = authorization.substr(kBearerPrefix.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    if (token.empty()) return std::nullopt;
    return token;
}

bool IsAcceptableRequestId(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id) {
        if (c <= 0x20 || c > 0x7E) return false;
    }
    return true;
}

const core::TraceContext* CurrentTrace() noexcept { return t_current_trace; }

TraceScope::TraceScope(core::TraceContext trace) : trace_(std::move(trace)), previous_(t_current_trace) {
    t_current_trace = &trace_;
}

TraceScope::~TraceScope() { t_current_trace = previous_; }

CallScope::CallScope(grpc::ServerContextBase* context)
    : context_(context),
      state_(StateFor(context)),
      log_scope_(state_->trace.trace_id, state_->request_id),
      trace_scope_(state_->trace) {}

CallScope::CallScope(grpc::ServerContextBase* context, std::shared_ptr<const impl::CallState> state)
    : context_(context),
      state_(state ? std::move(state) : StateFor(context)),
      log_scope_(state_->trace.trace_id, state_->request_id),
      trace_scope_(state_->trace) {}

CallScope::~CallScope() = default;

const std::string& CallScope::method() const noexcept { return state_->method; }
const std::string& CallScope::request_id() const noexcept { return state_->request_id; }
const core::TraceContext& CallScope::trace() const noexcept { return state_->trace; }
std::string CallScope::bearer_token() const { return state_->bearer_token; }

std::optional<Claims> CallScope::OptionalClaims() const {
    if (claims_checked_) return claims_;
    if (!state_->had_authorization) {
        claims_checked_ = true;
        return std::nullopt;
    }
    if (state_->bearer_token.empty()) {
        throw core::Unauthenticated("authorization: must be \"Bearer <token>\"");
    }
    if (!state_->verifier) {
        throw core::Unauthenticated("invalid or expired token", "no token verifier is configured on this server");
    }
    auto claims = state_->verifier->Verify(state_->bearer_token);
    if (!claims) throw core::Unauthenticated("invalid or expired token", "token rejected by the verifier");
    const auto now = state_->clock ? state_->clock->Now() : std::chrono::system_clock::now();
    if (claims->expires_at <= now) {
        throw core::Unauthenticated("invalid or expired token", "token of " + claims->subject + " expired at " +
                                                                    core::FormatRfc3339(claims->expires_at));
    }
    claims_ = std::move(claims);
    claims_checked_ = true;
    return claims_;
}

Claims CallScope::RequireClaims() const {
    auto claims = OptionalClaims();
    if (!claims) throw core::Unauthenticated("authentication required");
    return *std::move(claims);
}

void CallScope::RequireStillValid() const { RequireStillValid(RequireClaims()); }

void CallScope::RequireStillValid(const Claims& claims) const {
    const auto now = state_->clock ? state_->clock->Now() : std::chrono::system_clock::now();
    if (claims.expires_at <= now) {
        throw core::Unauthenticated("the access token expired; reconnect with a fresh token",
                                    "stream of " + claims.subject + " ended: token expired");
    }
    if (!state_->verifier || !state_->verifier->Verify(state_->bearer_token)) {
        throw core::Unauthenticated("the session was revoked; log in again",
                                    "stream of " + claims.subject + " ended: token no longer verifies");
    }
}

void CallScope::RequireAccepted() const {
    if (!state_->accepted) throw core::Unavailable("server is shutting down; try again", "call refused while draining");
}

}  // namespace marketplace::rpc
