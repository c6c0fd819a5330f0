#pragma once
// A user's balances in one statement: the wallet's available and pending-payout accounts and what
// the escrows of their funded milestones hold, read from one snapshot without a transaction.
#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/transaction_base>

namespace marketplace::payments::storage {

struct BalanceRow {
    enum class Part { kAvailable, kPendingPayouts, kInEscrow };
    Part part = Part::kAvailable;
    std::string currency;
    std::int64_t amount = 0;
};

/// The rows of `user_id`'s balances (an id as stored: lower-case), by currency.
std::vector<BalanceRow> BalancesOf(pqxx::transaction_base& tx, const std::string& user_id);

}  // namespace marketplace::payments::storage
