// The work packages' and tasks' use cases of ClanFlows (domain/work.hpp): the clan's row is held
// FOR SHARE while a package or a task changes, so a member's leave and the assignment of a task to
// them do not cross.
#include "app/clan_flows.hpp"
#include "marketplace/clans/v1/events.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "storage/clan_store.hpp"
#include "storage/work_store.hpp"

namespace marketplace::clans {
namespace {

Clan LoadShared(pqxx::work& tx, const std::string& clan_id) {
    if (!storage::LockClanShared(tx, clan_id)) throw core::NotFound("clan not found");
    auto clan = storage::LoadClan(tx, clan_id, false);
    if (!clan) throw core::NotFound("clan not found");
    return *clan;
}

}  // namespace

WorkPackage ClanFlows::CreateWorkPackage(pqxx::work& tx, const std::string& clan_id, const Actor& actor,
                                         const std::string& contract_id, const std::string& milestone_id,
                                         const NewWorkPackageInput& input) {
    const Clan clan = LoadShared(tx, clan_id);
    WorkPackage p = NewWorkPackage(clan, actor, input, core::NewUuidV7(), contract_id, milestone_id, Now());
    core::RequireUuid(contract_id, "contract_id");
    core::RequireUuid(milestone_id, "milestone_id");
    if (!storage::IsMilestoneOf(tx, clan_id, contract_id, milestone_id)) {
        throw core::InvalidArgument("milestone_id", "is not a milestone of one of the clan's contracts");
    }
    if (storage::CountPackages(tx, contract_id) >= kMaxPackagesPerContract) {
        throw core::FailedPrecondition("a contract has at most " + std::to_string(kMaxPackagesPerContract) +
                                       " work packages");
    }
    storage::InsertPackage(tx, p);
    v1::WorkPackageCreated e;
    e.set_clan_id(clan_id);
    e.set_package_id(p.id);
    e.set_contract_id(p.contract_id);
    e.set_milestone_id(p.milestone_id);
    e.set_title(p.title);
    e.set_created_by(actor.user_id);
    runtime_.Publish(tx, clan_id, e);
    return p;
}

std::vector<ClanFlows::PackageWithTasks> ClanFlows::ListWork(pqxx::work& tx, const std::string& clan_id,
                                                             const Actor& actor, const std::string& contract_id,
                                                             int limit) {
    RequireMember(View(tx, clan_id), actor);
    std::vector<PackageWithTasks> out;
    for (auto& p : storage::ListPackages(tx, clan_id, contract_id, limit)) {
        auto tasks = storage::TasksOf(tx, p.id);
        out.push_back({std::move(p), std::move(tasks)});
    }
    return out;
}

ClanTask ClanFlows::CreateTask(pqxx::work& tx, const std::string& clan_id, const std::string& package_id,
                               const Actor& actor, const NewTaskInput& input) {
    const Clan clan = LoadShared(tx, clan_id);
    RequireMember(clan, actor);
    const auto package = storage::LoadPackage(tx, clan_id, package_id);
    if (!package) throw core::NotFound("work package not found");
    ClanTask t = NewTask(clan, actor, *package, input, core::NewUuidV7(), Now());
    if (storage::CountTasks(tx, package_id) >= kMaxTasksPerPackage) {
        throw core::FailedPrecondition("a work package has at most " + std::to_string(kMaxTasksPerPackage) + " tasks");
    }
    storage::InsertTask(tx, t);
    v1::ClanTaskCreated e;
    e.set_clan_id(clan_id);
    e.set_clan_name(clan.name);
    e.set_task_id(t.id);
    e.set_package_id(t.package_id);
    e.set_milestone_id(package->milestone_id);
    e.set_title(t.title);
    e.set_assignee_id(t.assignee_id);
    e.set_status(std::string(TaskStatusName(t.status)));
    e.set_created_by(actor.user_id);
    runtime_.Publish(tx, clan_id, e);
    return t;
}

ClanTask ClanFlows::UpdateTask(pqxx::work& tx, const std::string& clan_id, const std::string& task_id,
                               const Actor& actor, const TaskPatch& patch) {
    const Clan clan = LoadShared(tx, clan_id);
    RequireMember(clan, actor);
    const auto before = storage::LoadTask(tx, clan_id, task_id);
    if (!before) throw core::NotFound("task not found");
    const ClanTask after = ChangeTask(clan, actor, *before, patch, Now());
    storage::SaveTask(tx, after);
    v1::ClanTaskChanged e;
    e.set_clan_id(clan_id);
    e.set_clan_name(clan.name);
    e.set_task_id(after.id);
    e.set_package_id(after.package_id);
    e.set_title(after.title);
    e.set_status(std::string(TaskStatusName(after.status)));
    e.set_previous_status(std::string(TaskStatusName(before->status)));
    e.set_assignee_id(after.assignee_id);
    e.set_previous_assignee_id(before->assignee_id);
    e.set_logged_hours(after.logged_hours);
    e.set_changed_by(actor.user_id);
    e.set_version(after.version);
    runtime_.Publish(tx, clan_id, e);
    return after;
}

}  // namespace marketplace::clans
