#include "transcode/status_mapping.hpp"

#include <string>

#include "marketplace/rpc/status.hpp"

namespace marketplace::gateway {

bhttp::status HttpStatusFromGrpc(grpc::StatusCode code) noexcept {
    switch (code) {
        case grpc::StatusCode::OK:
            return bhttp::status::ok;
        case grpc::StatusCode::CANCELLED:
            return static_cast<bhttp::status>(499);  // client closed request
        case grpc::StatusCode::INVALID_ARGUMENT:
        case grpc::StatusCode::OUT_OF_RANGE:
            return bhttp::status::bad_request;
        case grpc::StatusCode::UNAUTHENTICATED:
            return bhttp::status::unauthorized;
        case grpc::StatusCode::PERMISSION_DENIED:
            return bhttp::status::forbidden;
        case grpc::StatusCode::NOT_FOUND:
            return bhttp::status::not_found;
        case grpc::StatusCode::ALREADY_EXISTS:
        case grpc::StatusCode::ABORTED:
            return bhttp::status::conflict;
        case grpc::StatusCode::FAILED_PRECONDITION:
            return bhttp::status::precondition_failed;
        case grpc::StatusCode::RESOURCE_EXHAUSTED:
            return bhttp::status::too_many_requests;
        case grpc::StatusCode::UNIMPLEMENTED:
            return bhttp::status::not_implemented;
        case grpc::StatusCode::UNAVAILABLE:
            return bhttp::status::service_unavailable;
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return bhttp::status::gateway_timeout;
        case grpc::StatusCode::UNKNOWN:
        case grpc::StatusCode::INTERNAL:
        case grpc::StatusCode::DATA_LOSS:
        case grpc::StatusCode::DO_NOT_USE:
            break;
    }
    return bhttp::status::internal_server_error;
}

HttpResponse ErrorResponseFromGrpc(const grpc::Status& status, std::string_view field) {
    const auto http_status = HttpStatusFromGrpc(status.error_code());
    const auto code = rpc::StatusCodeName(status.error_code());
    const auto http_code = static_cast<unsigned>(http_status);
    std::string message;
    if (http_code >= 400 && http_code < 499) {
        message = status.error_message();
    } else {
        switch (status.error_code()) {
            case grpc::StatusCode::UNAVAILABLE:
                message = "the service is unavailable; try again";
                break;
            case grpc::StatusCode::DEADLINE_EXCEEDED:
                message = "the service did not answer in time";
                break;
            case grpc::StatusCode::CANCELLED:
                message = "the request was cancelled";
                break;
            case grpc::StatusCode::UNIMPLEMENTED:
                message = "the service does not implement this call";
                break;
            default:
                message = rpc::kInternalErrorMessage;
                break;
        }
    }
    auto response = ErrorResponse(http_status, code, message, field);
    if (http_code == 499) response.reason("Client Closed Request");
    if (http_status == bhttp::status::too_many_requests) response.set(bhttp::field::retry_after, "1");
    return response;
}

}  // namespace marketplace::gateway
