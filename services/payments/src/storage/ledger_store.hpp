#pragma once
// SQL for accounts, operations and transfers. Post() is the only way money moves: it locks every
// account of the operation in id order (so concurrent operations cannot deadlock), applies the
// posting rules of domain/ledger_rules.hpp to the locked balances, then writes the operation, its
// transfers and the balance of every account it changes in one statement: two statements whatever
// the number of legs.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/transaction>

#include "domain/account.hpp"
#include "domain/ledger_rules.hpp"
#include "marketplace/core/clock.hpp"

namespace marketplace::payments::storage {

enum class OperationKind {
    kDeposit,
    kPayoutHold,
    kPayoutPost,
    kPayoutVoid,
    kEscrowFund,
    kEscrowRelease,
    kEscrowRefund,
    kTransferBatch,
    kDisputeSettlement,
};

std::string_view OperationKindName(OperationKind kind);

struct Operation {
    std::string id;  // deterministic where the operation must happen once: "escrow_release:<milestone>"
    OperationKind kind;
    std::string reference;  // what it is about: a milestone, deposit or payout id
};

/// An operation and its legs, for posting several at once.
struct Posting {
    Operation operation;
    std::vector<Leg> legs;
};

/// The operation id of `kind` about `reference` ("escrow_fund:<milestone id>").
std::string OperationId(OperationKind kind, std::string_view reference);

/// One stored transfer, with the credited account's kind and owner (for answering replays).
struct StoredTransfer {
    int leg = 0;
    std::int64_t debit_account = 0;
    std::int64_t credit_account = 0;
    std::int64_t amount = 0;
    std::string currency;
    AccountKind credit_kind = AccountKind::kWalletAvailable;
    std::string credit_owner;
};

class LedgerStore final {
public:
    /// Finds or creates the account (balance 0, guarded by its kind); returns its id.
    std::int64_t EnsureAccount(pqxx::work& tx, const AccountKey& key) const;
    /// The same for many owners of one kind and currency; returns owner -> id.
    std::map<std::string, std::int64_t> EnsureAccounts(pqxx::work& tx, AccountKind kind, const std::string& currency,
                                                       const std::vector<std::string>& owners) const;
    /// The same for accounts of any kinds, in one statement when they all exist; returns their ids in
    /// the order of `keys`.
    std::vector<std::int64_t> EnsureAccounts(pqxx::work& tx, const std::vector<AccountKey>& keys) const;
    /// The account, without locking it; nullopt when it does not exist.
    std::optional<AccountState> Find(pqxx::work& tx, const AccountKey& key) const;
    /// Locks the accounts in id order and returns their states.
    std::map<std::int64_t, AccountState> Lock(pqxx::work& tx, std::vector<std::int64_t> ids) const;

    /// Posts `legs` as `operation` at `now`. Throws InsufficientFunds (nothing written) when a leg
    /// would overdraw a guarded account, core::InvalidArgument for invalid legs (named under
    /// `field`), and a pqxx unique violation when the operation was already posted.
    void Post(pqxx::work& tx, const Operation& operation, const std::vector<Leg>& legs, core::Clock::TimePoint now,
              const std::string& field = "legs") const;

    /// Posts several operations at once, as if one after the other in order (each planned on the
    /// balances the ones before it leave), in the same two statements; the same errors as Post, and
    /// then none of them is written.
    void Post(pqxx::work& tx, const std::vector<Posting>& postings, core::Clock::TimePoint now,
              const std::string& field = "legs") const;

    /// The accounts of `owner` of the given kinds, ordered by currency.
    std::vector<AccountState> AccountsOf(pqxx::work& tx, const std::string& owner,
                                         const std::vector<AccountKind>& kinds) const;

    /// The transfers of an operation, by leg.
    std::vector<StoredTransfer> TransfersOf(pqxx::work& tx, const std::string& operation_id) const;
};

/// RFC 3339 text of `t`, as PostgreSQL timestamptz input.
std::string Timestamp(core::Clock::TimePoint t);
/// The SQL expression that prints a timestamptz column as RFC 3339 UTC ("" for NULL).
std::string Rfc3339Sql(const std::string& column);

}  // namespace marketplace::payments::storage
