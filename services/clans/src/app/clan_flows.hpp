#pragma once
// The clans' use cases: lock, load, decide (domain/clan.hpp), save, and publish the changes to
// clans.events.v1 in the same transaction (the outbox). Also the read model of the clans' contracts,
// fed by contracts' and payments' events, which the archive rule reads.
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/clan.hpp"
#include "marketplace/service/runtime.hpp"
#include "storage/clan_store.hpp"

namespace marketplace::clans {

class ClanFlows final {
public:
    explicit ClanFlows(service::Runtime& runtime) : runtime_(runtime) {}

    /// Creates a clan; core::Conflict when the handle is taken.
    Clan Create(pqxx::work& tx, const Actor& actor, const NewClanInput& input);
    /// Applies a command to the clan; NOT_FOUND for an unknown clan.
    Clan Act(pqxx::work& tx, const std::string& clan_id, const Command& command, const Actor& actor);
    /// The clan (any signed-in user may see its page).
    Clan View(pqxx::work& tx, const std::string& clan_id) const;

    /// The read model: a contract created with a clan as its working party (ignored when
    /// `working_party_id` names no clan). Returns whether it was recorded.
    bool OnContractCreated(pqxx::work& tx, const std::string& contract_id, const std::string& working_party_id,
                           const std::string& client_id, const std::vector<std::string>& milestone_ids);
    /// A clan was hired (jobs' ProposalAccepted with a clan): locks version 1 of the contract's
    /// payout plan and publishes PayoutSplitLocked; false when the clan is unknown or it was locked already.
    bool OnClanHired(pqxx::work& tx, const std::string& clan_id, const std::string& proposal_id,
                     const std::string& leader_id, const std::string& split_mode,
                     const std::vector<storage::PlanShareRecord>& shares);
    /// A milestone's escrow was funded.
    void OnMilestoneFunded(pqxx::work& tx, const std::string& milestone_id);
    /// A milestone ended: released, refunded, settled or cancelled.
    void OnMilestoneClosed(pqxx::work& tx, const std::string& milestone_id);

    /// Now, to the microsecond the database keeps.
    TimePoint Now() const;

private:
    void Publish(pqxx::work& tx, const Clan& clan, const Change& change, const Actor& actor) const;

    service::Runtime& runtime_;
};

}  // namespace marketplace::clans
