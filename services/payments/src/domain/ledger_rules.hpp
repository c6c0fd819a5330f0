#pragma once
// The ledger's posting rules, free of SQL: an operation is a list of legs, each debiting one
// account and crediting another by a positive amount in the accounts' currency. The legs apply in
// order as one unit; the first leg that would take a guarded account below zero fails the whole
// operation (nothing is written), and the operation then changes each account once, by its net
// delta.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::payments {

/// One transfer of an operation.
struct Leg {
    std::int64_t debit_account = 0;
    std::int64_t credit_account = 0;
    std::int64_t amount = 0;
    std::string currency;
};

/// What the ledger knows of an account while posting (its row is locked).
struct AccountState {
    std::int64_t id = 0;
    AccountKind kind = AccountKind::kWalletAvailable;
    std::string owner;
    std::string currency;
    std::int64_t balance = 0;
    bool guarded = true;
};

/// A leg would take a guarded account below zero. FAILED_PRECONDITION; the caller message reads
/// "insufficient funds: available 10.00 EUR, needed 150.00 EUR".
class InsufficientFunds final : public core::Error {
public:
    InsufficientFunds(std::size_t leg, AccountState account, std::int64_t available, std::int64_t needed);

    /// The failing leg's index in the operation.
    std::size_t leg() const noexcept { return leg_; }
    const AccountState& account() const noexcept { return account_; }
    std::int64_t available() const noexcept { return available_; }
    std::int64_t needed() const noexcept { return needed_; }

private:
    std::size_t leg_;
    AccountState account_;
    std::int64_t available_;
    std::int64_t needed_;
};

/// "insufficient funds: available 10.00 EUR, needed 150.00 EUR".
std::string InsufficientFundsText(std::int64_t available, std::int64_t needed, const std::string& currency);

/// Checks the legs on their own: at least one, amounts positive, known currency, debit and credit
/// different. Throws InvalidArgument naming `<field>[i].<part>`.
void ValidateLegs(const std::vector<Leg>& legs, const std::string& field = "legs");

/// Applies the legs in order to `accounts` (which must hold every account the legs name):
/// rejects a leg whose currency differs from either account's (InvalidArgument: mixed
/// currencies), throws InsufficientFunds at the first leg that would take a guarded account below
/// zero, and InvalidArgument when a balance would overflow int64. Returns each account's net delta
/// (accounts whose delta is zero included).
std::map<std::int64_t, std::int64_t> PlanPosting(const std::vector<Leg>& legs,
                                                 const std::map<std::int64_t, AccountState>& accounts,
                                                 const std::string& field = "legs");

}  // namespace marketplace::payments
