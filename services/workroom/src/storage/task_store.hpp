#pragma once
// SQL for a room's task board and the contract's milestones it may name.
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"
#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::workroom::storage {

void AddMilestones(pqxx::work& tx, const std::string& room_id, const std::vector<std::string>& milestone_ids);
bool HasMilestone(pqxx::work& tx, const std::string& room_id, const std::string& milestone_id);

/// "todo", "doing", "done" and back; TASK_STATUS_UNSPECIFIED has no name.
std::string StatusName(v1::TaskStatus status);

void InsertTask(pqxx::work& tx, const v1::Task& task, core::Clock::TimePoint now);
std::optional<v1::Task> FindTask(pqxx::work& tx, const std::string& room_id, const std::string& task_id);
void UpdateTaskFields(pqxx::work& tx, const std::string& task_id, const std::string& title,
                      const std::string& assignee_id, const std::string& milestone_id, core::Clock::TimePoint now);
void SetPlace(pqxx::work& tx, const std::string& task_id, v1::TaskStatus status, const std::string& rank,
              core::Clock::TimePoint now);

/// The rank of the first task of a column after `rank` ("" for none; `rank` "" asks for the top one),
/// leaving out `except_task_id`.
std::string NextRank(pqxx::work& tx, const std::string& room_id, v1::TaskStatus status, const std::string& rank,
                     const std::string& except_task_id);

/// By column (todo, doing, done), each in rank order.
std::vector<v1::Task> ListTasks(pqxx::work& tx, const std::string& room_id);

}  // namespace marketplace::workroom::storage
