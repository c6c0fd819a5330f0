#pragma once
// gRPC status -> HTTP status and the JSON error body {"code","message","field"}.
//
//   OK 200                  INVALID_ARGUMENT 400     OUT_OF_RANGE 400
//   UNAUTHENTICATED 401     PERMISSION_DENIED 403    NOT_FOUND 404
//   ALREADY_EXISTS 409      ABORTED 409              FAILED_PRECONDITION 412
//   RESOURCE_EXHAUSTED 429  CANCELLED 499            UNKNOWN, INTERNAL, DATA_LOSS 500
//   UNIMPLEMENTED 501       UNAVAILABLE 503          DEADLINE_EXCEEDED 504
//
// For the codes that describe the caller's request (4xx) the body carries the service's message,
// which services write for callers (libs/rpc status.hpp). For the server-side ones (5xx, 499) the
// body carries a fixed message: channel errors name internal addresses, and the detail is logged.
#include <string_view>

#include <grpcpp/support/status.h>

#include "http/types.hpp"

namespace marketplace::gateway {

bhttp::status HttpStatusFromGrpc(grpc::StatusCode code) noexcept;

/// The error response for a failed upstream call; `field` is the x-error-field trailing metadata.
HttpResponse ErrorResponseFromGrpc(const grpc::Status& status, std::string_view field);

}  // namespace marketplace::gateway
