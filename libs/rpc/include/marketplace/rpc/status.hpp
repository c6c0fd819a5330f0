#pragma once
// The one place where errors become grpc::Status. Handlers throw the typed errors of
// marketplace/core/errors.hpp (or let anything else escape) and wrap their body in Handle(), so
// nothing leaves a handler as an exception.
//
//   core error            grpc status           why
//   InvalidArgument       INVALID_ARGUMENT      bad input; the field also goes to trailing metadata x-error-field
//   NotFound              NOT_FOUND
//   FailedPrecondition    FAILED_PRECONDITION   the resource is not in a state that allows the operation
//   Conflict              ALREADY_EXISTS        the thing (a key, a name, an idempotency key) is already taken;
//                                               HTTP 409 at the gateway, and not retried by clients
//   PermissionDenied      PERMISSION_DENIED
//   Unauthenticated       UNAUTHENTICATED
//   ResourceExhausted     RESOURCE_EXHAUSTED
//   Unavailable           UNAVAILABLE           transient; clients retry
//   the database's errors              as the installed ExceptionMapper says: in a service, the kit's
//                                      (marketplace/service/database_errors.hpp: a lost connection is
//                                      UNAVAILABLE, a serialization failure ABORTED, ...)
//   anything else                      INTERNAL      generic caller message; the detail goes to an error log line
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <grpcpp/support/status.h>

#include "marketplace/core/errors.hpp"

namespace grpc {
class ClientContext;
class ServerContextBase;
}  // namespace grpc

namespace marketplace::rpc {

/// Trailing metadata naming the offending field of an INVALID_ARGUMENT reply.
inline constexpr char kErrorFieldMetadata[] = "x-error-field";
/// The caller message of every INTERNAL reply.
inline constexpr char kInternalErrorMessage[] = "internal error";

/// The gRPC code for a core error code.
grpc::StatusCode ToStatusCode(core::ErrorCode code) noexcept;

/// "OK", "INVALID_ARGUMENT", ...: the canonical name of a code (for logs).
std::string_view StatusCodeName(grpc::StatusCode code) noexcept;

/// A core error as a status carrying its caller message (never the log message).
grpc::Status ToStatus(const core::Error& error);

/// What an exception maps to: the status, plus the field for an INVALID_ARGUMENT (else empty).
struct MappedError {
    grpc::Status status;
    std::string field;
};

/// Maps the exceptions of a layer below that are not core errors (the database's, installed by the
/// service kit); nullopt for the ones it does not know, which are INTERNAL.
using ExceptionMapper = std::optional<MappedError> (*)(const std::exception_ptr& error, bool replayable);
/// Installs `mapper` for every later MapException in the process (set at start-up, before calls are
/// served; a later call replaces it, nullptr removes it).
void SetExceptionMapper(ExceptionMapper mapper) noexcept;

/// Maps any exception (pure: no logging, no metadata). A null pointer maps to INTERNAL.
/// `replayable`: the call carried an idempotency key. A commit whose outcome is unknown (the
/// connection lost while committing) is then UNAVAILABLE, since sending the call again with the same
/// key is answered from its record if it took effect and applies it if not; without a key it is
/// INTERNAL, since a blind retry could apply it twice.
MappedError MapException(const std::exception_ptr& error, bool replayable = false);

/// Maps `error` (replayable when `context`'s call carries an idempotency-key), writes the log line
/// (info for caller errors, warn for UNAVAILABLE/ABORTED, error with the detail for INTERNAL), and
/// when `context` is given adds x-error-field to its trailing metadata.
grpc::Status StatusFromException(const std::exception_ptr& error, grpc::ServerContextBase* context = nullptr) noexcept;

/// StatusFromException(std::current_exception(), context); call it inside a catch block.
grpc::Status StatusFromCurrentException(grpc::ServerContextBase* context = nullptr) noexcept;

/// Client side: the x-error-field trailing metadata of a finished call, or empty.
std::string ErrorField(const grpc::ClientContext& context);

/// Runs `fn()` and returns OK (or the grpc::Status `fn` returns); any exception becomes a status.
/// For handlers, prefer Handle(context, fn) from call_scope.hpp, which also sets up the call's scope.
template <typename Fn>
grpc::Status Handle(Fn&& fn) noexcept {
    try {
        if constexpr (std::is_same_v<std::invoke_result_t<Fn&>, grpc::Status>) {
            return fn();
        } else {
            fn();
            return grpc::Status::OK;
        }
    } catch (...) {
        return StatusFromCurrentException();
    }
}

}  // namespace marketplace::rpc
