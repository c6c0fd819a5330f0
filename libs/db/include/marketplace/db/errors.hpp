#pragma once
// Which database failures are worth waiting out: the server is unreachable, restarting, or dropped
// the session (a restart, a failover, a network cut), or the pool had no connection to lend. Work
// that failed this way can succeed unchanged once PostgreSQL answers again, so background loops
// (consumers, timers, the relay) retry it with capped backoff for as long as it lasts instead of
// counting it as a failure of the work itself.
#include <exception>

namespace marketplace::db {

/// True for: a connection that could not be opened or broke (libpqxx broken_connection, SQLSTATE
/// class 08), a commit whose outcome is unknown (in_doubt_error), the server shutting down or
/// starting up (57P01, 57P02, 57P03), too many connections (53300), and core::Unavailable (what
/// Pool::Acquire throws when it cannot connect or no connection comes within acquire_timeout).
bool IsConnectionFailure(const std::exception& e);

}  // namespace marketplace::db
