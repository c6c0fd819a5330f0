#include "marketplace/core/errors.hpp"

namespace marketplace::core {

std::string_view ErrorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "INVALID_ARGUMENT";
        case ErrorCode::kNotFound:
            return "NOT_FOUND";
        case ErrorCode::kFailedPrecondition:
            return "FAILED_PRECONDITION";
        case ErrorCode::kConflict:
            return "CONFLICT";
        case ErrorCode::kPermissionDenied:
            return "PERMISSION_DENIED";
        case ErrorCode::kUnauthenticated:
            return "UNAUTHENTICATED";
        case ErrorCode::kResourceExhausted:
            return "RESOURCE_EXHAUSTED";
        case ErrorCode::kUnavailable:
            return "UNAVAILABLE";
    }
    return "UNKNOWN";
}

Error::Error(ErrorCode code, std::string caller_message, std::string log_message)
    : std::runtime_error(log_message.empty() ? caller_message : log_message),
      code_(code),
      caller_message_(std::move(caller_message)),
      log_message_(log_message.empty() ? caller_message_ : std::move(log_message)) {}

InvalidArgument::InvalidArgument(std::string field, std::string rule)
    : Error(ErrorCode::kInvalidArgument, field + ": " + rule), field_(std::move(field)) {}

}  // namespace marketplace::core
