#pragma once
// SQL for a clan's work packages and tasks.
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/work.hpp"

namespace marketplace::clans::storage {

/// Whether `milestone_id` is a milestone of the clan's contract `contract_id` (the read model).
bool IsMilestoneOf(pqxx::work& tx, const std::string& clan_id, const std::string& contract_id,
                   const std::string& milestone_id);
std::size_t CountPackages(pqxx::work& tx, const std::string& contract_id);
void InsertPackage(pqxx::work& tx, const WorkPackage& p);
std::optional<WorkPackage> LoadPackage(pqxx::work& tx, const std::string& clan_id, const std::string& package_id);
/// The clan's packages, oldest first (only `contract_id`'s when given), at most `limit`.
std::vector<WorkPackage> ListPackages(pqxx::work& tx, const std::string& clan_id, const std::string& contract_id,
                                      int limit);

std::size_t CountTasks(pqxx::work& tx, const std::string& package_id);
void InsertTask(pqxx::work& tx, const ClanTask& t);
/// The clan's task, locked FOR UPDATE.
std::optional<ClanTask> LoadTask(pqxx::work& tx, const std::string& clan_id, const std::string& task_id);
void SaveTask(pqxx::work& tx, const ClanTask& t);
/// The packages' tasks, oldest first.
std::vector<ClanTask> TasksOf(pqxx::work& tx, const std::string& package_id);

}  // namespace marketplace::clans::storage
