#pragma once
// The ledger's accounts: what kinds exist, which of them must never go negative, and how an
// account is named (kind, owner, currency). System accounts that many operations touch (the
// platform's fee income, the provider's clearing account) are split into shards, so concurrent
// operations lock different rows instead of queueing on one.
#include <cstdint>
#include <string>
#include <string_view>

namespace marketplace::payments {

enum class AccountKind {
    kWalletAvailable,   // a user's spendable money, per currency
    kPayoutPending,     // a user's withdrawals waiting for the provider
    kMilestoneEscrow,   // one per milestone: what the client funded
    kPlatformFees,      // the platform's fee income, one shard of it
    kProviderClearing,  // the outside world's side: negative by what came in through the provider
};

/// "wallet_available", "payout_pending", "milestone_escrow", "platform_fees", "provider_clearing".
std::string_view AccountKindName(AccountKind kind);
/// The kind of a name; throws std::invalid_argument for an unknown one.
AccountKind ParseAccountKind(std::string_view name);
/// Guarded accounts must never go negative: every kind but provider clearing.
bool IsGuarded(AccountKind kind);

/// The natural key of an account. Owners are lower-case UUIDs (users, milestones) or shard names.
struct AccountKey {
    AccountKind kind;
    std::string owner;
    std::string currency;
};

AccountKey WalletOf(std::string_view user_id, std::string_view currency);
AccountKey PendingPayoutsOf(std::string_view user_id, std::string_view currency);
AccountKey EscrowOf(std::string_view milestone_id, std::string_view currency);
/// Shard `shard` of the platform fee account ("shard-007").
AccountKey PlatformFeeShard(int shard, std::string_view currency);
/// Shard `shard` of the provider clearing account.
AccountKey ProviderClearingShard(int shard, std::string_view currency);

/// The shard (0..shards-1) an operation uses: a stable hash of its id, so a retried operation
/// picks the same shard and concurrent operations spread evenly.
int ShardFor(std::string_view operation_id, int shards);
/// "shard-007".
std::string ShardName(int shard);

/// Lower-cases a UUID's hex digits (ids arrive in either case; accounts are keyed by one form).
std::string NormalizeId(std::string_view id);

}  // namespace marketplace::payments
