#pragma once
// A hired clan's work (pure: no database): work packages mapped to a contract's milestones, and
// tasks inside them with an assignee (a current member), estimated and logged hours, and a status:
//   TODO -> IN_PROGRESS -> REVIEW -> DONE, back from IN_PROGRESS to TODO and from REVIEW to
//   IN_PROGRESS (changes asked), and DONE reopened to IN_PROGRESS by a HEAD, CO_HEAD or ADMIN.
// HEAD, CO_HEAD and ADMIN create packages and tasks and change any task; a MEMBER changes only the
// tasks assigned to them, and only their status and logged hours (REVIEW -> DONE is the reviewer's:
// a HEAD, CO_HEAD or ADMIN). Only the clan's members see the work.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clan.hpp"

namespace marketplace::clans {

inline constexpr std::size_t kMaxWorkTitleChars = 200;
inline constexpr std::size_t kMaxWorkDescriptionChars = 5000;
inline constexpr std::int32_t kMaxTaskHours = 10000;
inline constexpr std::size_t kMaxPackagesPerContract = 100;
inline constexpr std::size_t kMaxTasksPerPackage = 200;

enum class TaskStatus { kTodo, kInProgress, kReview, kDone };
std::string_view TaskStatusName(TaskStatus s);  // "todo", "in_progress", "review", "done"
std::optional<TaskStatus> TaskStatusFromName(std::string_view name);

struct WorkPackage {
    std::string id;
    std::string clan_id;
    std::string contract_id;
    std::string milestone_id;
    std::string title;
    std::string description;
    std::string created_by;
    TimePoint created_at{};
};

struct ClanTask {
    std::string id;
    std::string package_id;
    std::string clan_id;
    std::string title;
    std::string description;
    std::string assignee_id;  // empty: nobody yet
    TaskStatus status = TaskStatus::kTodo;
    std::int32_t estimate_hours = 0;
    std::int32_t logged_hours = 0;
    std::int64_t version = 1;  // grows with every change
    std::string created_by;
    TimePoint created_at{};
    TimePoint updated_at{};
};

struct NewWorkPackageInput {
    std::string title;
    std::string description;
};

struct NewTaskInput {
    std::string title;
    std::string description;
    std::string assignee_id;
    std::int32_t estimate_hours = 0;
};

/// What a caller changes on a task; absent fields stay.
struct TaskPatch {
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<std::string> assignee_id;  // "" unassigns
    std::optional<TaskStatus> status;
    std::optional<std::int32_t> estimate_hours;
    std::optional<std::int32_t> logged_hours;
};

/// Whether `actor` is a current member (HEAD, CO_HEAD, ADMIN or MEMBER): PERMISSION_DENIED otherwise.
void RequireMember(const Clan& clan, const Actor& actor);

/// A new package on one of the clan's contract's milestones, by a HEAD, CO_HEAD or ADMIN.
WorkPackage NewWorkPackage(const Clan& clan, const Actor& actor, const NewWorkPackageInput& input, std::string id,
                           std::string contract_id, std::string milestone_id, TimePoint now);

/// A new task (TODO) in `package`, by a HEAD, CO_HEAD or ADMIN; errors name the field.
ClanTask NewTask(const Clan& clan, const Actor& actor, const WorkPackage& package, const NewTaskInput& input,
                 std::string id, TimePoint now);

/// The task after `patch` by `actor` (see the rules above); the version grows by one. Throws
/// InvalidArgument when the patch changes nothing.
ClanTask ChangeTask(const Clan& clan, const Actor& actor, const ClanTask& task, const TaskPatch& patch, TimePoint now);

}  // namespace marketplace::clans
