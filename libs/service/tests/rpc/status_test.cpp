#include <catch2/catch.hpp>

#include <stdexcept>

#include <pqxx/except>

#include "marketplace/core/errors.hpp"
#include "marketplace/rpc/status.hpp"
#include "marketplace/service/database_errors.hpp"

using namespace marketplace;
using grpc::StatusCode;

namespace {

// The database's errors are mapped as in every service: by the runtime's installed mapper.
const bool installed = (service::InstallDatabaseErrors(), true);

rpc::MappedError Map(const auto& error) { return rpc::MapException(std::make_exception_ptr(error)); }

}  // namespace

TEST_CASE("Status: every core error maps to its documented gRPC code", "[rpc][status]") {
    CHECK(rpc::ToStatusCode(core::ErrorCode::kInvalidArgument) == StatusCode::INVALID_ARGUMENT);
    CHECK(rpc::ToStatusCode(core::ErrorCode::kNotFound) == StatusCode::NOT_FOUND);
    CHECK(rpc::ToStatusCode(core::ErrorCode::kFailedPrecondition) == StatusCode::FAILED_PRECONDITION);
    CHECK(rpc::ToStatusCode(core::ErrorCode::kConflict) == StatusCode::ALREADY_EXISTS);
    CHECK(rpc::ToStatusCode(core::ErrorCode::kPermissionDenied) == StatusCode::PERMISSION_DENIED);
    CHECK(rpc::ToStatusCode(core::ErrorCode::kUnauthenticated) == StatusCode::UNAUTHENTICATED);
    CHECK(rpc::ToStatusCode(core::ErrorCode::kResourceExhausted) == StatusCode::RESOURCE_EXHAUSTED);
    CHECK(rpc::ToStatusCode(core::ErrorCode::kUnavailable) == StatusCode::UNAVAILABLE);
}

TEST_CASE("Status: a typed error reaches the caller with its caller message, never the log message", "[rpc][status]") {
    const auto mapped = Map(core::NotFound("contract not found", "contract 42 missing in shard 3"));
    CHECK(mapped.status.error_code() == StatusCode::NOT_FOUND);
    CHECK(mapped.status.error_message() == "contract not found");
    CHECK(mapped.field.empty());

    const auto conflict = Map(core::Conflict("idempotency-key: already used with a different request"));
    CHECK(conflict.status.error_code() == StatusCode::ALREADY_EXISTS);
    CHECK(conflict.status.error_message() == "idempotency-key: already used with a different request");

    CHECK(Map(core::PermissionDenied("only the client accepts")).status.error_code() == StatusCode::PERMISSION_DENIED);
    CHECK(Map(core::Unauthenticated("token expired")).status.error_code() == StatusCode::UNAUTHENTICATED);
    CHECK(Map(core::FailedPrecondition("milestone is not funded")).status.error_code() ==
          StatusCode::FAILED_PRECONDITION);
    CHECK(Map(core::ResourceExhausted("too many requests")).status.error_code() == StatusCode::RESOURCE_EXHAUSTED);
    CHECK(Map(core::Unavailable("try again")).status.error_code() == StatusCode::UNAVAILABLE);
}

TEST_CASE("Status: an invalid argument names its field and rule", "[rpc][status]") {
    const auto mapped = Map(core::InvalidArgument("milestones[2].amount", "must be > 0"));
    CHECK(mapped.status.error_code() == StatusCode::INVALID_ARGUMENT);
    CHECK(mapped.status.error_message() == "milestones[2].amount: must be > 0");
    CHECK(mapped.field == "milestones[2].amount");
}

TEST_CASE("Status: a lost database connection is UNAVAILABLE so the caller retries", "[rpc][status]") {
    const auto mapped = Map(pqxx::broken_connection("server closed the connection unexpectedly"));
    CHECK(mapped.status.error_code() == StatusCode::UNAVAILABLE);
    CHECK(mapped.status.error_message().find("server closed") == std::string::npos);
}

TEST_CASE("Status: a serialization failure that outlived the retries is ABORTED", "[rpc][status]") {
    const auto mapped = Map(pqxx::serialization_failure("could not serialize access"));
    CHECK(mapped.status.error_code() == StatusCode::ABORTED);
}

TEST_CASE("Status: the database shutting down, starting up or out of connections is UNAVAILABLE", "[rpc][status]") {
    CHECK(Map(pqxx::sql_error("terminating connection due to administrator command", "SELECT 1", "57P01"))
              .status.error_code() == StatusCode::UNAVAILABLE);
    CHECK(Map(pqxx::sql_error("the database system is starting up", "", "57P03")).status.error_code() ==
          StatusCode::UNAVAILABLE);
    CHECK(Map(pqxx::sql_error("too many connections", "", "53300")).status.error_code() == StatusCode::UNAVAILABLE);
    CHECK(Map(pqxx::sql_error("duplicate key value", "INSERT", "23505")).status.error_code() == StatusCode::INTERNAL);
}

TEST_CASE("Status: anything else is INTERNAL with a generic message that leaks nothing", "[rpc][status]") {
    const auto runtime = Map(std::runtime_error("password=hunter2 in conninfo"));
    CHECK(runtime.status.error_code() == StatusCode::INTERNAL);
    CHECK(runtime.status.error_message() == rpc::kInternalErrorMessage);

    // A commit whose outcome is unknown must not be retried blindly: INTERNAL, not UNAVAILABLE.
    CHECK(Map(pqxx::in_doubt_error("commit outcome unknown")).status.error_code() == StatusCode::INTERNAL);
    CHECK(Map(42).status.error_code() == StatusCode::INTERNAL);
    CHECK(rpc::MapException(nullptr).status.error_code() == StatusCode::INTERNAL);
}

TEST_CASE("Status: a commit whose outcome is unknown is UNAVAILABLE when the call can be replayed by its key",
          "[rpc][status]") {
    const auto error = std::make_exception_ptr(pqxx::in_doubt_error("commit outcome unknown"));
    const auto replayable = rpc::MapException(error, /*replayable=*/true);
    CHECK(replayable.status.error_code() == StatusCode::UNAVAILABLE);
    CHECK(replayable.status.error_message().find("same idempotency key") != std::string::npos);
    CHECK(rpc::MapException(error, /*replayable=*/false).status.error_code() == StatusCode::INTERNAL);
}

TEST_CASE("Status: Handle turns every exception into a status and passes a returned status through", "[rpc][status]") {
    CHECK(rpc::Handle([] {}).ok());
    CHECK(rpc::Handle([] { return grpc::Status(StatusCode::NOT_FOUND, "gone"); }).error_code() ==
          StatusCode::NOT_FOUND);
    const auto status = rpc::Handle([] { throw core::InvalidArgument("amount", "must be > 0"); });
    CHECK(status.error_code() == StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message() == "amount: must be > 0");
    CHECK(rpc::Handle([] { throw std::logic_error("bug"); }).error_code() == StatusCode::INTERNAL);
    CHECK(rpc::Handle([] { throw 7; }).error_code() == StatusCode::INTERNAL);
}

TEST_CASE("Status: code names are the canonical ones", "[rpc][status]") {
    CHECK(rpc::StatusCodeName(StatusCode::OK) == "OK");
    CHECK(rpc::StatusCodeName(StatusCode::ALREADY_EXISTS) == "ALREADY_EXISTS");
    CHECK(rpc::StatusCodeName(StatusCode::UNAUTHENTICATED) == "UNAUTHENTICATED");
}
