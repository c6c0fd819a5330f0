#pragma once
// A client error found by the gateway itself (before any upstream call): the HTTP status and the
// error body's code, message and field.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "http/types.hpp"

namespace marketplace::gateway {

class RequestError final : public std::runtime_error {
public:
    RequestError(bhttp::status status, std::string code, std::string message, std::string field = {})
        : std::runtime_error(message),
          status_(status),
          code_(std::move(code)),
          message_(std::move(message)),
          field_(std::move(field)) {}

    /// 400 INVALID_ARGUMENT naming the field: what most bad input gets.
    static RequestError InvalidArgument(std::string field, std::string message) {
        return RequestError(bhttp::status::bad_request, "INVALID_ARGUMENT", std::move(message), std::move(field));
    }

    bhttp::status status() const noexcept { return status_; }
    const std::string& code() const noexcept { return code_; }
    const std::string& message() const noexcept { return message_; }
    const std::string& field() const noexcept { return field_; }

    /// Adds a header to the error response (Retry-After, Allow).
    RequestError&& WithHeader(bhttp::field name, std::string value) && {
        headers_.emplace_back(name, std::move(value));
        return std::move(*this);
    }

    HttpResponse ToResponse() const {
        auto response = ErrorResponse(status_, code_, message_, field_);
        for (const auto& [name, value] : headers_) response.set(name, value);
        return response;
    }

private:
    bhttp::status status_;
    std::string code_;
    std::string message_;
    std::string field_;
    std::vector<std::pair<bhttp::field, std::string>> headers_;
};

}  // namespace marketplace::gateway
