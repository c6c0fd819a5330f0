#include "storage/work_store.hpp"

#include <pqxx/pqxx>
#include <stdexcept>

#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"

namespace marketplace::clans::storage {
namespace {

using db::MicrosOf;
using db::OptionalTime;
using db::TimeParam;

const std::string kPackageColumns =
    "id::text, clan_id::text, contract_id::text, milestone_id::text, title, "
    "description, created_by, " +
    MicrosOf("created_at");

WorkPackage PackageOf(const pqxx::row& r) {
    return WorkPackage{r[0].as<std::string>(), r[1].as<std::string>(),
                       r[2].as<std::string>(), r[3].as<std::string>(),
                       r[4].as<std::string>(), r[5].as<std::string>(),
                       r[6].as<std::string>(), OptionalTime(r[7]).value_or(TimePoint{})};
}

const std::string kTaskColumns =
    "id::text, package_id::text, clan_id::text, title, description, assignee_id, status, estimate_hours, "
    "logged_hours, version, created_by, " +
    MicrosOf("created_at") + ", " + MicrosOf("updated_at");

ClanTask TaskOf(const pqxx::row& r) {
    ClanTask t;
    t.id = r[0].as<std::string>();
    t.package_id = r[1].as<std::string>();
    t.clan_id = r[2].as<std::string>();
    t.title = r[3].as<std::string>();
    t.description = r[4].as<std::string>();
    t.assignee_id = r[5].as<std::string>();
    const auto status = TaskStatusFromName(r[6].as<std::string>());
    if (!status) throw std::runtime_error("task " + t.id + " has an unknown status");
    t.status = *status;
    t.estimate_hours = r[7].as<std::int32_t>();
    t.logged_hours = r[8].as<std::int32_t>();
    t.version = r[9].as<std::int64_t>();
    t.created_by = r[10].as<std::string>();
    t.created_at = OptionalTime(r[11]).value_or(TimePoint{});
    t.updated_at = OptionalTime(r[12]).value_or(TimePoint{});
    return t;
}

}  // namespace

bool IsMilestoneOf(pqxx::work& tx, const std::string& clan_id, const std::string& contract_id,
                   const std::string& milestone_id) {
    return !db::Exec(tx,
                     "SELECT 1 FROM clan_milestones WHERE clan_id::text = $1 AND contract_id::text = $2 AND "
                     "milestone_id::text = $3",
                     clan_id, contract_id, milestone_id)
                .empty();
}

std::size_t CountPackages(pqxx::work& tx, const std::string& contract_id) {
    return db::Exec1(tx, "SELECT count(*) FROM work_packages WHERE contract_id = $1", contract_id)[0].as<std::size_t>();
}

void InsertPackage(pqxx::work& tx, const WorkPackage& p) {
    db::Exec0(tx,
              "INSERT INTO work_packages (id, clan_id, contract_id, milestone_id, title, description, created_by, "
              "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)",
              p.id, p.clan_id, p.contract_id, p.milestone_id, p.title, p.description, p.created_by,
              TimeParam(p.created_at));
}

std::optional<WorkPackage> LoadPackage(pqxx::work& tx, const std::string& clan_id, const std::string& package_id) {
    const auto rows =
        db::Exec(tx, "SELECT " + kPackageColumns + " FROM work_packages WHERE clan_id::text = $1 AND id::text = $2",
                 clan_id, package_id);
    if (rows.empty()) return std::nullopt;
    return PackageOf(rows[0]);
}

std::vector<WorkPackage> ListPackages(pqxx::work& tx, const std::string& clan_id, const std::string& contract_id,
                                      int limit) {
    std::vector<WorkPackage> out;
    for (const auto& r : db::Exec(tx,
                                  "SELECT " + kPackageColumns +
                                      " FROM work_packages WHERE clan_id::text = $1 AND ($2 = '' OR "
                                      "contract_id::text = $2) ORDER BY created_at, id LIMIT $3",
                                  clan_id, contract_id, limit)) {
        out.push_back(PackageOf(r));
    }
    return out;
}

std::size_t CountTasks(pqxx::work& tx, const std::string& package_id) {
    return db::Exec1(tx, "SELECT count(*) FROM clan_tasks WHERE package_id = $1", package_id)[0].as<std::size_t>();
}

void InsertTask(pqxx::work& tx, const ClanTask& t) {
    db::Exec0(
        tx,
        "INSERT INTO clan_tasks (id, package_id, clan_id, title, description, assignee_id, status, estimate_hours, "
        "logged_hours, version, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "$11, $12::timestamptz, $13::timestamptz)",
        t.id, t.package_id, t.clan_id, t.title, t.description, t.assignee_id, std::string(TaskStatusName(t.status)),
        t.estimate_hours, t.logged_hours, t.version, t.created_by, TimeParam(t.created_at), TimeParam(t.updated_at));
}

std::optional<ClanTask> LoadTask(pqxx::work& tx, const std::string& clan_id, const std::string& task_id) {
    const auto rows = db::Exec(
        tx, "SELECT " + kTaskColumns + " FROM clan_tasks WHERE clan_id::text = $1 AND id::text = $2 FOR UPDATE",
        clan_id, task_id);
    if (rows.empty()) return std::nullopt;
    return TaskOf(rows[0]);
}

void SaveTask(pqxx::work& tx, const ClanTask& t) {
    db::Exec0(tx,
              "UPDATE clan_tasks SET title = $2, description = $3, assignee_id = $4, status = $5, estimate_hours = $6, "
              "logged_hours = $7, version = $8, updated_at = $9::timestamptz WHERE id = $1",
              t.id, t.title, t.description, t.assignee_id, std::string(TaskStatusName(t.status)), t.estimate_hours,
              t.logged_hours, t.version, TimeParam(t.updated_at));
}

std::vector<ClanTask> TasksOf(pqxx::work& tx, const std::string& package_id) {
    std::vector<ClanTask> out;
    for (const auto& r :
         db::Exec(tx, "SELECT " + kTaskColumns + " FROM clan_tasks WHERE package_id = $1 ORDER BY created_at, id",
                  package_id)) {
        out.push_back(TaskOf(r));
    }
    return out;
}

}  // namespace marketplace::clans::storage
