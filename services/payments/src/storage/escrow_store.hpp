#pragma once
// SQL for escrow records and the answers given to funding attempts.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/escrow.hpp"
#include "marketplace/core/clock.hpp"

namespace marketplace::payments::storage {

struct EscrowRecord {
    std::string milestone_id;
    std::string contract_id;
    std::string client_id;
    std::int64_t account_id = 0;
    std::int64_t amount = 0;
    std::string currency;
    EscrowState state = EscrowState::kFunded;  // stored as its name: "funded", "released", ...
    int funded_attempt = 0;
    std::string funded_at;   // RFC 3339
    std::string settled_at;  // RFC 3339, empty while funded
    std::string settlement_operation_id;
    std::int64_t held = 0;        // the escrow account's balance
    std::string dispute_id;       // the dispute that locks it, empty when none does
    std::string clan_split_json;  // a clan's plan in force when the dispute held it (JSON), empty otherwise
};

struct FundingAnswer {
    bool funded = false;
    std::string reason;
};

class EscrowStore final {
public:
    /// Serialises every handler of one milestone (the escrow row may not exist yet).
    void LockMilestone(pqxx::work& tx, const std::string& milestone_id) const;
    /// The escrow, locked FOR UPDATE when `for_update`.
    std::optional<EscrowRecord> Find(pqxx::work& tx, const std::string& milestone_id, bool for_update) const;
    /// The escrows of several milestones, locked FOR UPDATE in milestone order, by milestone id (those
    /// that exist).
    std::map<std::string, EscrowRecord> FindForUpdate(pqxx::work& tx,
                                                      const std::vector<std::string>& milestone_ids) const;
    void Insert(pqxx::work& tx, const EscrowRecord& escrow, core::Clock::TimePoint now) const;
    /// Marks a funded escrow released or refunded; throws std::logic_error when it was not funded.
    void Settle(pqxx::work& tx, const std::string& milestone_id, EscrowState state, const std::string& operation_id,
                core::Clock::TimePoint now) const;

    /// Settle for several funded escrows at once (`operation_ids` in the order of `milestone_ids`);
    /// throws std::logic_error unless every one was funded.
    void Settle(pqxx::work& tx, const std::vector<std::string>& milestone_ids, EscrowState state,
                const std::vector<std::string>& operation_ids, core::Clock::TimePoint now) const;

    /// Locks (or with an empty id unlocks) the escrow for a dispute; false when there is no escrow.
    bool SetDispute(pqxx::work& tx, const std::string& milestone_id, const std::string& dispute_id,
                    const std::string& clan_split_json = {}) const;

    std::optional<FundingAnswer> FindAnswer(pqxx::work& tx, const std::string& milestone_id, int attempt) const;
    /// Records the answer to an attempt (the first answer stays).
    void RecordAnswer(pqxx::work& tx, const std::string& milestone_id, int attempt, const FundingAnswer& answer,
                      core::Clock::TimePoint now) const;

    /// Per currency, what the funded escrows of the client's milestones hold.
    std::vector<std::pair<std::string, std::int64_t>> HeldForClient(pqxx::work& tx, const std::string& client_id) const;
};

}  // namespace marketplace::payments::storage
