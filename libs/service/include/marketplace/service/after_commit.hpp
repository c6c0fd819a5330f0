#pragma once
// Effects outside the database of work done inside a transaction (a metric of money moved, of a
// saga step finished), run only once that transaction has committed: a transaction that rolls
// back, or is retried, leaves no trace.
//
// Effects are kept per thread. A Runtime's event consumers run them after each commit by
// themselves; code that runs its own transactions uses InTransactionThen. Effects noted in a timer
// handler are dropped.
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

#include <pqxx/transaction>

#include "marketplace/db/transaction.hpp"

namespace marketplace::service {

/// Runs `effect` once `tx` has committed (on this thread, by RunCommitted).
void AfterCommit(pqxx::work& tx, std::function<void()> effect);
/// The same, for a caller that already read the transaction's id (pg_current_xact_id()::text) in a
/// statement of its own: one round trip fewer.
void AfterCommit(const std::string& transaction_id, std::function<void()> effect);
/// Runs the effects noted in the transaction this thread just committed.
void RunCommitted();
/// Drops the effects noted so far on this thread.
void DiscardUncommitted();
/// Drops the effects noted on this thread in a transaction other than `tx` (one that ended
/// without them being run: it rolled back).
void DiscardUnlessIn(pqxx::work& tx);

/// db::InTransaction, then the effects its work noted with AfterCommit.
template <typename Work>
auto InTransactionThen(db::Pool& pool, Work&& work) -> std::invoke_result_t<Work&, pqxx::work&> {
    DiscardUncommitted();
    try {
        if constexpr (std::is_void_v<std::invoke_result_t<Work&, pqxx::work&>>) {
            db::InTransaction(pool, std::forward<Work>(work));
            RunCommitted();
        } else {
            auto result = db::InTransaction(pool, std::forward<Work>(work));
            RunCommitted();
            return result;
        }
    } catch (...) {
        DiscardUncommitted();
        throw;
    }
}

}  // namespace marketplace::service
