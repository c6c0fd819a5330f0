#pragma once
// SQL for the clans service's own tables: clans, members, pending invitations and join requests,
// and the read model of the clans' contracts.
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/clan.hpp"
#include "storage/plan_store.hpp"

namespace marketplace::clans::storage {

/// Inserts a new clan with its HEAD; false when the handle is taken (nothing inserted).
bool InsertClan(pqxx::work& tx, const Clan& clan);
/// The clan with its current members and pending lists; the clan row locked FOR UPDATE when asked.
std::optional<Clan> LoadClan(pqxx::work& tx, const std::string& clan_id, bool for_update);
/// Writes what Decide changed from `before` (decision.clan is the clan after it).
void SaveClan(pqxx::work& tx, const Clan& before, const Decision& decision, TimePoint now);

/// The clans `user_id` is a current member of, newest first (at most `limit`).
std::vector<Clan> ClansOfMember(pqxx::work& tx, const std::string& user_id, int limit);
/// Active clans with a pending invitation for `user_id`.
std::vector<Clan> ClansInviting(pqxx::work& tx, const std::string& user_id, int limit);

/// The read model: whether `clan_id` names a clan (locked FOR SHARE: an archive waits for it).
bool LockClanShared(pqxx::work& tx, const std::string& clan_id);
/// Records a clan's new contract (from the accepted `proposal_id`) and its milestones (open); false
/// when it was recorded already.
bool RecordContract(pqxx::work& tx, const std::string& contract_id, const std::string& proposal_id,
                    const std::string& clan_id, const std::string& client_id,
                    const std::vector<std::string>& milestone_ids, TimePoint now);
/// Moves a milestone of a clan's contract to `to` ("funded" from "open"; "closed" from anything);
/// false when it is not a clan's milestone or already past that state.
bool MarkMilestone(pqxx::work& tx, const std::string& milestone_id, const std::string& to, TimePoint now);
/// What the clan's contracts hold now.
ContractFacts FactsOf(pqxx::work& tx, const std::string& clan_id);

}  // namespace marketplace::clans::storage
