#pragma once
// SQL for deposits and payouts (orders placed with the payment provider) and for the provider
// notifications already applied.
#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"

namespace marketplace::payments::storage {

struct ProviderOrder {
    std::string id;
    std::string user_id;
    std::int64_t amount = 0;
    std::string currency;
    std::string status;  // deposits: pending/completed/failed; payouts: pending/posted/voided
    std::string provider;
    std::string failure_reason;
    std::string created_at;  // RFC 3339
    std::string settled_at;  // RFC 3339, empty while pending
};

/// One store per table: "deposits" or "payouts".
class OrderStore final {
public:
    enum class Table { kDeposits, kPayouts };
    explicit OrderStore(Table table) : table_(table) {}

    void Insert(pqxx::work& tx, const ProviderOrder& order, core::Clock::TimePoint now) const;
    std::optional<ProviderOrder> Find(pqxx::work& tx, const std::string& id, bool for_update) const;
    /// Moves a pending order to its final `status`; throws std::logic_error when it was not pending.
    void Settle(pqxx::work& tx, const std::string& id, const std::string& status, const std::string& failure_reason,
                core::Clock::TimePoint now) const;

private:
    const char* table() const noexcept { return table_ == Table::kDeposits ? "deposits" : "payouts"; }
    Table table_;
};

class ProviderEventStore final {
public:
    /// Records the provider's event id; false when it was recorded before (a duplicate). A
    /// concurrent duplicate waits for the first to commit or roll back.
    bool Claim(pqxx::work& tx, const std::string& event_id, const std::string& type, const std::string& reference,
               core::Clock::TimePoint now) const;
    /// Records that the claimed event changed nothing (its order was already final).
    void MarkIgnored(pqxx::work& tx, const std::string& event_id) const;
};

}  // namespace marketplace::payments::storage
