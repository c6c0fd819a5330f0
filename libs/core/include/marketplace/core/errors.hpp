#pragma once
// The few typed errors domain code throws. Each carries a message for the caller (safe to show)
// and one for the log (may hold detail). libs/rpc maps them to grpc::Status in one place.
#include <stdexcept>
#include <string>
#include <string_view>

namespace marketplace::core {

enum class ErrorCode {
    kInvalidArgument,
    kNotFound,
    kFailedPrecondition,
    kConflict,
    kPermissionDenied,
    kUnauthenticated,
    kResourceExhausted,
    kUnavailable,
};

std::string_view ErrorCodeName(ErrorCode code);

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, std::string caller_message, std::string log_message = {});
    ErrorCode code() const noexcept { return code_; }
    /// What the caller may see.
    const std::string& caller_message() const noexcept { return caller_message_; }
    /// What the log gets (falls back to the caller message).
    const std::string& log_message() const noexcept { return log_message_; }

private:
    ErrorCode code_;
    std::string caller_message_;
    std::string log_message_;
};

/// Bad input. The message names the field and the rule: "milestones[2].amount: must be > 0".
class InvalidArgument final : public Error {
public:
    InvalidArgument(std::string field, std::string rule);
    const std::string& field() const noexcept { return field_; }

private:
    std::string field_;
};

class NotFound final : public Error {
public:
    explicit NotFound(std::string what, std::string log_message = {})
        : Error(ErrorCode::kNotFound, std::move(what), std::move(log_message)) {}
};

class FailedPrecondition final : public Error {
public:
    explicit FailedPrecondition(std::string what, std::string log_message = {})
        : Error(ErrorCode::kFailedPrecondition, std::move(what), std::move(log_message)) {}
};

class Conflict final : public Error {
public:
    explicit Conflict(std::string what, std::string log_message = {})
        : Error(ErrorCode::kConflict, std::move(what), std::move(log_message)) {}
};

class PermissionDenied final : public Error {
public:
    explicit PermissionDenied(std::string what, std::string log_message = {})
        : Error(ErrorCode::kPermissionDenied, std::move(what), std::move(log_message)) {}
};

class Unauthenticated final : public Error {
public:
    explicit Unauthenticated(std::string what, std::string log_message = {})
        : Error(ErrorCode::kUnauthenticated, std::move(what), std::move(log_message)) {}
};

class ResourceExhausted final : public Error {
public:
    explicit ResourceExhausted(std::string what, std::string log_message = {})
        : Error(ErrorCode::kResourceExhausted, std::move(what), std::move(log_message)) {}
};

class Unavailable final : public Error {
public:
    explicit Unavailable(std::string what, std::string log_message = {})
        : Error(ErrorCode::kUnavailable, std::move(what), std::move(log_message)) {}
};

}  // namespace marketplace::core
