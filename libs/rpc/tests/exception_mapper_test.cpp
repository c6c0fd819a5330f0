#include <catch2/catch.hpp>

#include <stdexcept>

#include "marketplace/core/errors.hpp"
#include "marketplace/rpc/status.hpp"

using namespace marketplace;
using grpc::StatusCode;

namespace {

struct StorageTimeout : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::optional<rpc::MappedError> MapStorageTimeout(const std::exception_ptr& error, bool replayable) {
    try {
        std::rethrow_exception(error);
    } catch (const StorageTimeout&) {
        return rpc::MappedError{grpc::Status(replayable ? StatusCode::UNAVAILABLE : StatusCode::ABORTED, "slow"), {}};
    } catch (...) {
        return std::nullopt;
    }
}

}  // namespace

TEST_CASE("Status: the exceptions of a layer below are mapped by the installed mapper, else INTERNAL",
          "[rpc][status]") {
    const auto timeout = std::make_exception_ptr(StorageTimeout("pool wait"));
    rpc::SetExceptionMapper(nullptr);
    CHECK(rpc::MapException(timeout).status.error_code() == StatusCode::INTERNAL);

    rpc::SetExceptionMapper(&MapStorageTimeout);
    CHECK(rpc::MapException(timeout).status.error_code() == StatusCode::ABORTED);
    CHECK(rpc::MapException(timeout, /*replayable=*/true).status.error_code() == StatusCode::UNAVAILABLE);
    // What the mapper does not know stays INTERNAL; core errors never reach it.
    CHECK(rpc::MapException(std::make_exception_ptr(std::runtime_error("other"))).status.error_code() ==
          StatusCode::INTERNAL);
    CHECK(rpc::MapException(std::make_exception_ptr(core::NotFound("gone"))).status.error_code() ==
          StatusCode::NOT_FOUND);
    rpc::SetExceptionMapper(nullptr);
    CHECK(rpc::MapException(timeout).status.error_code() == StatusCode::INTERNAL);
}
