#include "marketplace/service/database_errors.hpp"

#include <pqxx/except>

#include "marketplace/db/errors.hpp"

namespace marketplace::service {

std::optional<rpc::MappedError> MapDatabaseError(const std::exception_ptr& error, bool replayable) {
    if (!error) return std::nullopt;
    try {
        std::rethrow_exception(error);
    } catch (const pqxx::broken_connection&) {
        return rpc::MappedError{grpc::Status(grpc::StatusCode::UNAVAILABLE, "database unavailable; try again"), {}};
    } catch (const pqxx::transaction_rollback&) {
        return rpc::MappedError{grpc::Status(grpc::StatusCode::ABORTED, "concurrent update; try again"), {}};
    } catch (const pqxx::in_doubt_error&) {
        // A commit whose outcome is unknown must not be retried blindly: INTERNAL, not UNAVAILABLE,
        // unless the call carries an idempotency key, whose record commits with the effect.
        if (replayable) {
            return rpc::MappedError{
                grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "the database connection was lost while committing; send the call again with the "
                             "same idempotency key (if it took effect, the answer comes from its record)"),
                {}};
        }
        return std::nullopt;
    } catch (const std::exception& e) {
        // The server shutting down, restarting or unreachable, or no pooled connection in time: nothing
        // was written, and the call may be sent again once the database answers.
        if (db::IsConnectionFailure(e)) {
            return rpc::MappedError{grpc::Status(grpc::StatusCode::UNAVAILABLE, "database unavailable; try again"), {}};
        }
        return std::nullopt;
    } catch (...) {
        return std::nullopt;
    }
}

void InstallDatabaseErrors() noexcept { rpc::SetExceptionMapper(&MapDatabaseError); }

}  // namespace marketplace::service
