#pragma once
// SQL for the read model of contracts' parties and milestones, and for notices that wait for it.
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/notice.hpp"
#include "marketplace/core/clock.hpp"

namespace marketplace::notifications::storage {

/// Records a contract's parties and milestones (a replay changes nothing). Returns whether the
/// contract was new.
bool RememberContract(pqxx::work& tx, const Parties& parties, const std::vector<std::string>& milestone_ids,
                      core::Clock::TimePoint now);
/// Records that a milestone belongs to a known contract (events that name both teach it too).
void RememberMilestone(pqxx::work& tx, const std::string& milestone_id, const std::string& contract_id);
std::optional<Parties> PartiesOf(pqxx::work& tx, const std::string& contract_id);
std::optional<std::string> ContractOfMilestone(pqxx::work& tx, const std::string& milestone_id);

/// A notice waiting for its contract, with the event that made it.
struct PendingNotice {
    Notice notice;
    std::string source_event_id;
};
void AddPending(pqxx::work& tx, const Notice& notice, const std::string& source_event_id, core::Clock::TimePoint now);
/// Removes and returns, oldest first, the notices waiting for `contract_id` or one of its milestones.
std::vector<PendingNotice> TakePending(pqxx::work& tx, const std::string& contract_id);
/// How many notices wait (for logs and tests).
long PendingCount(pqxx::work& tx);

}  // namespace marketplace::notifications::storage
