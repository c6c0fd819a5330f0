#include "domain/account.hpp"

#include <cctype>
#include <cstdio>
#include <stdexcept>

namespace marketplace::payments {

std::string_view AccountKindName(AccountKind kind) {
    switch (kind) {
        case AccountKind::kWalletAvailable:
            return "wallet_available";
        case AccountKind::kPayoutPending:
            return "payout_pending";
        case AccountKind::kMilestoneEscrow:
            return "milestone_escrow";
        case AccountKind::kPlatformFees:
            return "platform_fees";
        case AccountKind::kProviderClearing:
            return "provider_clearing";
    }
    throw std::invalid_argument("unknown account kind");
}

AccountKind ParseAccountKind(std::string_view name) {
    for (auto kind : {AccountKind::kWalletAvailable, AccountKind::kPayoutPending, AccountKind::kMilestoneEscrow,
                      AccountKind::kPlatformFees, AccountKind::kProviderClearing}) {
        if (AccountKindName(kind) == name) return kind;
    }
    throw std::invalid_argument("unknown account kind '" + std::string(name) + "'");
}

bool IsGuarded(AccountKind kind) { return kind != AccountKind::kProviderClearing; }

AccountKey WalletOf(std::string_view user_id, std::string_view currency) {
    return {AccountKind::kWalletAvailable, NormalizeId(user_id), std::string(currency)};
}

AccountKey PendingPayoutsOf(std::string_view user_id, std::string_view currency) {
    return {AccountKind::kPayoutPending, NormalizeId(user_id), std::string(currency)};
}

AccountKey EscrowOf(std::string_view milestone_id, std::string_view currency) {
    return {AccountKind::kMilestoneEscrow, NormalizeId(milestone_id), std::string(currency)};
}

AccountKey PlatformFeeShard(int shard, std::string_view currency) {
    return {AccountKind::kPlatformFees, ShardName(shard), std::string(currency)};
}

AccountKey ProviderClearingShard(int shard, std::string_view currency) {
    return {AccountKind::kProviderClearing, ShardName(shard), std::string(currency)};
}

int ShardFor(std::string_view operation_id, int shards) {
    if (shards <= 1) return 0;
    // FNV-1a, 64 bit: stable across runs and platforms (std::hash is not).
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : operation_id) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return static_cast<int>(h % static_cast<std::uint64_t>(shards));
}

std::string ShardName(int shard) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "shard-%03d", shard);
    return buffer;
}

std::string NormalizeId(std::string_view id) {
    std::string out(id);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace marketplace::payments
