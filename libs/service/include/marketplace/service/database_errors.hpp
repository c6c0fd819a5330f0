#pragma once
// What the database's errors mean to a caller, for rpc::MapException (marketplace/rpc/status.hpp):
//
//   pqxx::broken_connection            UNAVAILABLE   the database went away before the commit: nothing happened
//   pqxx::transaction_rollback         ABORTED       a serialization failure or deadlock that outlived the retries
//   pqxx::in_doubt_error               UNAVAILABLE   with an idempotency key (its record commits with the effect,
//                                                    so the call may be sent again); INTERNAL without one
//   the server shutting down, starting up or out of connections, or no pooled connection in time
//                                      UNAVAILABLE   (db::IsConnectionFailure)
//   anything else                      not known here: INTERNAL
//
// The runtime installs it; a process that serves calls over a database without a Runtime calls
// InstallDatabaseErrors() itself.
#include <exception>
#include <optional>

#include "marketplace/rpc/status.hpp"

namespace marketplace::service {

std::optional<rpc::MappedError> MapDatabaseError(const std::exception_ptr& error, bool replayable);

/// rpc::SetExceptionMapper(MapDatabaseError).
void InstallDatabaseErrors() noexcept;

}  // namespace marketplace::service
