#include "domain/work.hpp"

#include "marketplace/core/errors.hpp"

namespace marketplace::clans {
namespace {

std::string Trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

std::size_t Utf8Length(const std::string& s) {
    std::size_t n = 0;
    for (const unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

bool HasControl(const std::string& s, bool allow_newlines) {
    for (const unsigned char c : s) {
        if (c == 0x7F || (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))) return true;
    }
    return false;
}

std::string Title(const std::string& value) {
    if (HasControl(value, false)) throw core::InvalidArgument("title", "must be one line without control characters");
    const std::string t = Trimmed(value);
    if (t.empty()) throw core::InvalidArgument("title", "is required");
    if (Utf8Length(t) > kMaxWorkTitleChars) {
        throw core::InvalidArgument("title", "must be at most " + std::to_string(kMaxWorkTitleChars) + " characters");
    }
    return t;
}

std::string Description(const std::string& value) {
    if (HasControl(value, true)) throw core::InvalidArgument("description", "must not hold control characters");
    if (Utf8Length(value) > kMaxWorkDescriptionChars) {
        throw core::InvalidArgument("description",
                                    "must be at most " + std::to_string(kMaxWorkDescriptionChars) + " characters");
    }
    return value;
}

std::int32_t Hours(const char* field, std::int32_t hours) {
    if (hours < 0 || hours > kMaxTaskHours) {
        throw core::InvalidArgument(field, "must be between 0 and " + std::to_string(kMaxTaskHours));
    }
    return hours;
}

void RequireManager(const Clan& clan, const Actor& actor, const char* what) {
    const Member* me = clan.FindMember(actor.user_id);
    if (me == nullptr || !IsManager(me->role)) {
        throw core::PermissionDenied(std::string("only the clan's HEAD, CO_HEAD or ADMIN ") + what);
    }
    if (clan.archived) throw core::FailedPrecondition("the clan is archived");
}

std::string Assignee(const Clan& clan, const std::string& user_id) {
    if (!user_id.empty() && clan.FindMember(user_id) == nullptr) {
        throw core::InvalidArgument("assignee_id", "is not a current member of the clan");
    }
    return user_id;
}

bool Allowed(TaskStatus from, TaskStatus to, bool manager) {
    using S = TaskStatus;
    if (from == S::kTodo) return to == S::kInProgress;
    if (from == S::kInProgress) return to == S::kTodo || to == S::kReview;
    if (from == S::kReview) return to == S::kInProgress || (to == S::kDone && manager);
    return to == S::kInProgress && manager;  // DONE reopened
}

}  // namespace

std::string_view TaskStatusName(TaskStatus s) {
    switch (s) {
        case TaskStatus::kTodo:
            return "todo";
        case TaskStatus::kInProgress:
            return "in_progress";
        case TaskStatus::kReview:
            return "review";
        case TaskStatus::kDone:
            return "done";
    }
    return "todo";
}

std::optional<TaskStatus> TaskStatusFromName(std::string_view name) {
    for (const auto s : {TaskStatus::kTodo, TaskStatus::kInProgress, TaskStatus::kReview, TaskStatus::kDone}) {
        if (TaskStatusName(s) == name) return s;
    }
    return std::nullopt;
}

void RequireMember(const Clan& clan, const Actor& actor) {
    if (clan.FindMember(actor.user_id) == nullptr) {
        throw core::PermissionDenied("only the clan's members see and change its work");
    }
}

WorkPackage NewWorkPackage(const Clan& clan, const Actor& actor, const NewWorkPackageInput& input, std::string id,
                           std::string contract_id, std::string milestone_id, TimePoint now) {
    RequireManager(clan, actor, "creates work packages");
    WorkPackage p;
    p.id = std::move(id);
    p.clan_id = clan.id;
    p.contract_id = std::move(contract_id);
    p.milestone_id = std::move(milestone_id);
    p.title = Title(input.title);
    p.description = Description(input.description);
    p.created_by = actor.user_id;
    p.created_at = now;
    return p;
}

ClanTask NewTask(const Clan& clan, const Actor& actor, const WorkPackage& package, const NewTaskInput& input,
                 std::string id, TimePoint now) {
    RequireManager(clan, actor, "creates tasks");
    ClanTask t;
    t.id = std::move(id);
    t.package_id = package.id;
    t.clan_id = clan.id;
    t.title = Title(input.title);
    t.description = Description(input.description);
    t.assignee_id = Assignee(clan, input.assignee_id);
    t.estimate_hours = Hours("estimate_hours", input.estimate_hours);
    t.created_by = actor.user_id;
    t.created_at = now;
    t.updated_at = now;
    return t;
}

ClanTask ChangeTask(const Clan& clan, const Actor& actor, const ClanTask& task, const TaskPatch& patch, TimePoint now) {
    const Member* me = clan.FindMember(actor.user_id);
    if (me == nullptr) throw core::PermissionDenied("only the clan's members see and change its work");
    if (clan.archived) throw core::FailedPrecondition("the clan is archived");
    const bool manager = IsManager(me->role);
    if (!manager) {
        if (task.assignee_id != actor.user_id) {
            throw core::PermissionDenied("a MEMBER changes only the tasks assigned to them");
        }
        if (patch.title || patch.description || patch.assignee_id || patch.estimate_hours) {
            throw core::PermissionDenied("a MEMBER changes only the status and the logged hours of their tasks");
        }
    }
    ClanTask t = task;
    if (patch.title) t.title = Title(*patch.title);
    if (patch.description) t.description = Description(*patch.description);
    if (patch.assignee_id) t.assignee_id = Assignee(clan, *patch.assignee_id);
    if (patch.estimate_hours) t.estimate_hours = Hours("estimate_hours", *patch.estimate_hours);
    if (patch.logged_hours) t.logged_hours = Hours("logged_hours", *patch.logged_hours);
    if (patch.status && *patch.status != task.status) {
        if (!Allowed(task.status, *patch.status, manager)) {
            const bool reviewer_only = manager == false && Allowed(task.status, *patch.status, true);
            if (reviewer_only) {
                throw core::PermissionDenied("only the clan's HEAD, CO_HEAD or ADMIN moves a task to " +
                                             std::string(TaskStatusName(*patch.status)));
            }
            throw core::FailedPrecondition("status: a task moves from " + std::string(TaskStatusName(task.status)) +
                                           " to " + std::string(TaskStatusName(*patch.status)) + " only in order");
        }
        t.status = *patch.status;
    }
    if (t.title == task.title && t.description == task.description && t.assignee_id == task.assignee_id &&
        t.status == task.status && t.estimate_hours == task.estimate_hours && t.logged_hours == task.logged_hours) {
        throw core::InvalidArgument("task", "the change changes nothing");
    }
    t.version = task.version + 1;
    t.updated_at = now;
    return t;
}

}  // namespace marketplace::clans
