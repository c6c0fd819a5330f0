#include "marketplace/rpc/status.hpp"

#include "marketplace/rpc/idempotency.hpp"

#include <atomic>

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include "marketplace/core/log.hpp"

namespace marketplace::rpc {
namespace log = core::log;
namespace {

std::atomic<ExceptionMapper> installed_mapper{nullptr};

}  // namespace

grpc::StatusCode ToStatusCode(core::ErrorCode code) noexcept {
    switch (code) {
        case core::ErrorCode::kInvalidArgument:
            return grpc::StatusCode::INVALID_ARGUMENT;
        case core::ErrorCode::kNotFound:
            return grpc::StatusCode::NOT_FOUND;
        case core::ErrorCode::kFailedPrecondition:
            return grpc::StatusCode::FAILED_PRECONDITION;
        case core::ErrorCode::kConflict:
            return grpc::StatusCode::ALREADY_EXISTS;
        case core::ErrorCode::kPermissionDenied:
            return grpc::StatusCode::PERMISSION_DENIED;
        case core::ErrorCode::kUnauthenticated:
            return grpc::StatusCode::UNAUTHENTICATED;
        case core::ErrorCode::kResourceExhausted:
            return grpc::StatusCode::RESOURCE_EXHAUSTED;
        case core::ErrorCode::kUnavailable:
            return grpc::StatusCode::UNAVAILABLE;
    }
    return grpc::StatusCode::INTERNAL;
}

std::string_view StatusCodeName(grpc::StatusCode code) noexcept {
    switch (code) {
        case grpc::StatusCode::OK:
            return "OK";
        case grpc::StatusCode::CANCELLED:
            return "CANCELLED";
        case grpc::StatusCode::UNKNOWN:
            return "UNKNOWN";
        case grpc::StatusCode::INVALID_ARGUMENT:
            return "INVALID_ARGUMENT";
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return "DEADLINE_EXCEEDED";
        case grpc::StatusCode::NOT_FOUND:
            return "NOT_FOUND";
        case grpc::StatusCode::ALREADY_EXISTS:
            return "ALREADY_EXISTS";
        case grpc::StatusCode::PERMISSION_DENIED:
            return "PERMISSION_DENIED";
        case grpc::StatusCode::RESOURCE_EXHAUSTED:
            return "RESOURCE_EXHAUSTED";
        case grpc::StatusCode::FAILED_PRECONDITION:
            return "FAILED_PRECONDITION";
        case grpc::StatusCode::ABORTED:
            return "ABORTED";
        case grpc::StatusCode::OUT_OF_RANGE:
            return "OUT_OF_RANGE";
        case grpc::StatusCode::UNIMPLEMENTED:
            return "UNIMPLEMENTED";
        case grpc::StatusCode::INTERNAL:
            return "INTERNAL";
        case grpc::StatusCode::UNAVAILABLE:
            return "UNAVAILABLE";
        case grpc::StatusCode::DATA_LOSS:
            return "DATA_LOSS";
        case grpc::StatusCode::UNAUTHENTICATED:
            return "UNAUTHENTICATED";
        case grpc::StatusCode::DO_NOT_USE:
            break;
    }
    return "UNKNOWN";
}

grpc::Status ToStatus(const core::Error& error) { return {ToStatusCode(error.code()), error.caller_message()}; }

MappedError MapException(const std::exception_ptr& error, bool replayable) {
    if (!error) return {grpc::Status(grpc::StatusCode::INTERNAL, kInternalErrorMessage), {}};
    try {
        std::rethrow_exception(error);
    } catch (const core::InvalidArgument& e) {
        return {ToStatus(e), e.field()};
    } catch (const core::Error& e) {
        return {ToStatus(e), {}};
    } catch (...) {
        if (const ExceptionMapper mapper = installed_mapper.load(std::memory_order_acquire)) {
            if (auto mapped = mapper(error, replayable)) return *std::move(mapped);
        }
        return {grpc::Status(grpc::StatusCode::INTERNAL, kInternalErrorMessage), {}};
    }
}

void SetExceptionMapper(ExceptionMapper mapper) noexcept { installed_mapper.store(mapper, std::memory_order_release); }

namespace {

// Metadata values of text keys must be printable ASCII; anything else would fail the whole reply.
std::string MetadataSafe(std::string value) {
    for (char& c : value) {
        if (c < 0x20 || c > 0x7E) c = '?';
    }
    return value;
}

std::string Describe(const std::exception_ptr& error) {
    if (!error) return "no exception";
    try {
        std::rethrow_exception(error);
    } catch (const core::Error& e) {
        return e.log_message();
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "non-standard exception";
    }
}

}  // namespace

grpc::Status StatusFromException(const std::exception_ptr& error, grpc::ServerContextBase* context) noexcept {
    try {
        bool replayable = false;
        if (context != nullptr) {
            const auto& metadata = context->client_metadata();
            replayable = metadata.find(kIdempotencyKeyMetadata) != metadata.end();
        }
        MappedError mapped = MapException(error, replayable);
        const auto code = mapped.status.error_code();
        const std::string detail = Describe(error);
        const int code_number = static_cast<int>(code);
        if (code == grpc::StatusCode::INTERNAL) {
            log::Error("request failed with an unexpected error", {{"grpc_code", code_number}, {"error", detail}});
        } else if (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::ABORTED) {
            log::Warn("request failed with a transient error", {{"grpc_code", code_number}, {"error", detail}});
        } else {
            log::Info("request rejected", {{"grpc_code", code_number}, {"error", detail}});
        }
        if (context != nullptr && !mapped.field.empty()) {
            context->AddTrailingMetadata(kErrorFieldMetadata, MetadataSafe(mapped.field));
        }
        return mapped.status;
    } catch (...) {
        return {grpc::StatusCode::INTERNAL, kInternalErrorMessage};
    }
}

grpc::Status StatusFromCurrentException(grpc::ServerContextBase* context) noexcept {
    return StatusFromException(std::current_exception(), context);
}

std::string ErrorField(const grpc::ClientContext& context) {
    const auto& trailers = context.GetServerTrailingMetadata();
    auto it = trailers.find(kErrorFieldMetadata);
    if (it == trailers.end()) return {};
    return std::string(it->second.data(), it->second.size());
}

}  // namespace marketplace::rpc
