#pragma once
// Statements run as prepared statements of their connection. A service runs the same few dozen
// statements over and over; sent with exec_params, PostgreSQL parses and plans each one on every
// call. db::Exec names the statement after its text (one name per distinct text in the process),
// the connection prepares it the first time it runs there, and every later call only binds the
// parameters and executes. Parameters, results and errors are exactly exec_params'.
//
//   const auto rows = db::Exec(tx, "SELECT state FROM escrows WHERE milestone_id = $1::uuid", id);
//   db::Exec0(tx, "UPDATE ...", a, b);     // throws pqxx::unexpected_rows unless no row comes back
//   const auto row = db::Exec1(tx, "SELECT ...", a);  // exactly one row
//
// Statement texts must be fixed (values travel as parameters). Past kMaxPreparedStatements distinct
// texts in one process, further texts run unprepared, so SQL built from data cannot make every
// connection hold an unbounded number of statements. PG_PREPARED_STATEMENTS=false (db::PgConfig)
// runs every statement unprepared, for a connection pooler that cannot keep them.
#include <cstddef>
#include <string>
#include <utility>

#include <pqxx/connection_base>
#include <pqxx/transaction_base>

namespace marketplace::db {

inline constexpr std::size_t kMaxPreparedStatements = 1024;

namespace detail {
/// The statement's name, registered with `conn` (libpqxx prepares it on the server on its first
/// run there); empty when the process already knows kMaxPreparedStatements other texts, or when
/// preparing is off.
const std::string& PreparedName(pqxx::connection_base& conn, const std::string& sql);
/// Whether statements of this process are prepared from now on (a Pool whose PgConfig has
/// prepared_statements off turns it off).
void SetPreparing(bool on);
}  // namespace detail

template <typename... Args>
pqxx::result Exec(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
    const std::string& name = detail::PreparedName(tx.conn(), sql);
    if (name.empty()) return tx.exec_params(sql, std::forward<Args>(args)...);
    return tx.exec_prepared(name, std::forward<Args>(args)...);
}

/// Exec, expecting no row back (pqxx::unexpected_rows otherwise).
template <typename... Args>
pqxx::result Exec0(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
    const std::string& name = detail::PreparedName(tx.conn(), sql);
    if (name.empty()) return tx.exec_params0(sql, std::forward<Args>(args)...);
    return tx.exec_prepared0(name, std::forward<Args>(args)...);
}

/// Exec, expecting exactly one row back (pqxx::unexpected_rows otherwise).
template <typename... Args>
pqxx::row Exec1(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
    const std::string& name = detail::PreparedName(tx.conn(), sql);
    if (name.empty()) return tx.exec_params1(sql, std::forward<Args>(args)...);
    return tx.exec_prepared1(name, std::forward<Args>(args)...);
}

/// Distinct statement texts this process has named so far (for tests and diagnostics).
std::size_t PreparedStatementCount();

}  // namespace marketplace::db
