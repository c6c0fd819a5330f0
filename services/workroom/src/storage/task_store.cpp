#include "storage/task_store.hpp"

#include <google/protobuf/util/time_util.h>

#include <pqxx/pqxx>
#include "marketplace/db/statements.hpp"

namespace marketplace::workroom::storage {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kColumns[] =
    "id::text, room_id::text, title, status, rank, assignee_id, milestone_id, created_by, "
    "(extract(epoch FROM created_at) * 1000000)::bigint, (extract(epoch FROM updated_at) * 1000000)::bigint";

v1::TaskStatus StatusOf(const std::string& name) {
    if (name == "todo") return v1::TASK_STATUS_TODO;
    if (name == "doing") return v1::TASK_STATUS_DOING;
    return v1::TASK_STATUS_DONE;
}

v1::Task TaskOf(const pqxx::row& row) {
    v1::Task t;
    t.set_task_id(row[0].c_str());
    t.set_room_id(row[1].c_str());
    t.set_title(row[2].c_str());
    t.set_status(StatusOf(row[3].c_str()));
    t.set_rank(row[4].c_str());
    t.set_assignee_id(row[5].c_str());
    t.set_milestone_id(row[6].c_str());
    t.set_created_by(row[7].c_str());
    *t.mutable_created_at() = TimeUtil::MicrosecondsToTimestamp(row[8].as<std::int64_t>());
    *t.mutable_updated_at() = TimeUtil::MicrosecondsToTimestamp(row[9].as<std::int64_t>());
    return t;
}

}  // namespace

void AddMilestones(pqxx::work& tx, const std::string& room_id, const std::vector<std::string>& milestone_ids) {
    for (const auto& id : milestone_ids) {
        db::Exec(tx, "INSERT INTO room_milestones (room_id, milestone_id) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING",
                 room_id, id);
    }
}

bool HasMilestone(pqxx::work& tx, const std::string& room_id, const std::string& milestone_id) {
    return !db::Exec(tx, "SELECT 1 FROM room_milestones WHERE room_id = $1::uuid AND milestone_id = $2", room_id,
                     milestone_id)
                .empty();
}

std::string StatusName(v1::TaskStatus status) {
    switch (status) {
        case v1::TASK_STATUS_TODO:
            return "todo";
        case v1::TASK_STATUS_DOING:
            return "doing";
        case v1::TASK_STATUS_DONE:
            return "done";
        default:
            return "";
    }
}

void InsertTask(pqxx::work& tx, const v1::Task& t, core::Clock::TimePoint now) {
    db::Exec(tx,
             "INSERT INTO tasks (id, room_id, title, status, rank, assignee_id, milestone_id, created_by, created_at, "
             "updated_at) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9::timestamptz, $9::timestamptz)",
             t.task_id(), t.room_id(), t.title(), StatusName(t.status()), t.rank(), t.assignee_id(), t.milestone_id(),
             t.created_by(), core::FormatRfc3339(now));
}

std::optional<v1::Task> FindTask(pqxx::work& tx, const std::string& room_id, const std::string& task_id) {
    const auto rows =
        db::Exec(tx, std::string("SELECT ") + kColumns + " FROM tasks WHERE room_id = $1::uuid AND id = $2::uuid",
                 room_id, task_id);
    if (rows.empty()) return std::nullopt;
    return TaskOf(rows[0]);
}

void UpdateTaskFields(pqxx::work& tx, const std::string& task_id, const std::string& title,
                      const std::string& assignee_id, const std::string& milestone_id, core::Clock::TimePoint now) {
    db::Exec(tx,
             "UPDATE tasks SET title = $2, assignee_id = $3, milestone_id = $4, updated_at = $5::timestamptz "
             "WHERE id = $1::uuid",
             task_id, title, assignee_id, milestone_id, core::FormatRfc3339(now));
}

void SetPlace(pqxx::work& tx, const std::string& task_id, v1::TaskStatus status, const std::string& rank,
              core::Clock::TimePoint now) {
    db::Exec(tx, "UPDATE tasks SET status = $2, rank = $3, updated_at = $4::timestamptz WHERE id = $1::uuid", task_id,
             StatusName(status), rank, core::FormatRfc3339(now));
}

std::string NextRank(pqxx::work& tx, const std::string& room_id, v1::TaskStatus status, const std::string& rank,
                     const std::string& except_task_id) {
    const auto rows = db::Exec(tx,
                               "SELECT rank FROM tasks WHERE room_id = $1::uuid AND status = $2 AND rank > $3 "
                               "AND ($4 = '' OR id <> nullif($4, '')::uuid) ORDER BY rank LIMIT 1",
                               room_id, StatusName(status), rank, except_task_id);
    return rows.empty() ? std::string() : std::string(rows[0][0].c_str());
}

std::vector<v1::Task> ListTasks(pqxx::work& tx, const std::string& room_id) {
    std::vector<v1::Task> out;
    for (const auto& row : db::Exec(tx,
                                    std::string("SELECT ") + kColumns +
                                        " FROM tasks WHERE room_id = $1::uuid ORDER BY CASE status WHEN 'todo' "
                                        "THEN 1 WHEN 'doing' THEN 2 ELSE 3 END, rank",
                                    room_id)) {
        out.push_back(TaskOf(row));
    }
    return out;
}

}  // namespace marketplace::workroom::storage
