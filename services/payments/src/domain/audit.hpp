#pragma once
// The ledger audit's rules (docs/ARCHITECTURE.md, "The ledger"), applied to a snapshot the storage layer reads in one
// repeatable-read transaction: every account with its stored balance and the balance recomputed
// from the transfers, and every escrow account with its escrow record and how many operations
// credited and debited it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace marketplace::payments {

__extension__ using Int128 = __int128;

enum class Invariant {
    kCurrencyBalanced,         // per currency, the balances sum to zero
    kGuardedNotNegative,       // no guarded account is negative
    kBalanceMatchesTransfers,  // stored balance == credits - debits
    kSettledEscrowZero,        // a released or refunded escrow holds nothing
    kEscrowSettledOnce,        // at most one release or refund per escrow
    kFundedEscrowHoldsAmount,  // a funded escrow holds exactly its amount, funded once
};

std::string_view InvariantName(Invariant invariant);

struct AuditedAccount {
    std::int64_t id = 0;
    std::string kind;
    std::string owner;
    std::string currency;
    bool guarded = true;
    std::int64_t stored = 0;
    Int128 recomputed = 0;  // sum of credits - sum of debits (cannot overflow here)
};

struct AuditedEscrow {
    std::int64_t account_id = 0;
    std::string milestone_id;  // the escrow account's owner
    std::string currency;
    std::int64_t balance = 0;
    bool has_record = false;                 // an escrows row points at this account
    std::string state;                       // "funded", "released", "refunded" (when has_record)
    std::int64_t amount = 0;                 // the escrow record's amount
    std::int64_t funding_operations = 0;     // distinct operations crediting the account
    std::int64_t settlement_operations = 0;  // distinct operations debiting it
};

struct Violation {
    Invariant invariant;
    std::string currency;
    std::int64_t account_id = 0;
    std::string account_kind;
    std::string account_owner;
    std::string detail;
};

/// Every broken invariant, currency-wide ones first, then by account.
std::vector<Violation> FindViolations(const std::vector<AuditedAccount>& accounts,
                                      const std::vector<AuditedEscrow>& escrows);

/// Decimal text of a 128-bit integer.
std::string Int128ToString(Int128 value);
/// Parses an optionally signed decimal integer (as PostgreSQL prints numeric sums); throws
/// std::invalid_argument otherwise.
Int128 ParseInt128(std::string_view text);

}  // namespace marketplace::payments
