// A clan's work packages and tasks as the pure rules decide them (domain/work.hpp).
#include <catch2/catch.hpp>

#include "domain/work.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace::clans;
namespace core = marketplace::core;

namespace {

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'800'000'000));

Actor Freelancer(const std::string& id) { return Actor{id, "freelancer"}; }

/// A clan with head h, co_head c, admin a, members m and n.
Clan Team() {
    Clan clan = CreateClan({"Night Owls", "night-owls", "We ship.", {"C++"}}, Freelancer("h"), "clan-1", kT0);
    const auto join = [&](const std::string& user, std::optional<Role> role) {
        clan = Decide(clan, command::Invite{user}, Freelancer("h"), kT0).clan;
        clan = Decide(clan, command::RespondToInvitation{true}, Freelancer(user), kT0).clan;
        if (role) clan = Decide(clan, command::SetRole{user, role}, Freelancer("h"), kT0).clan;
    };
    join("c", Role::kCoHead);
    join("a", Role::kAdmin);
    join("m", std::nullopt);
    join("n", std::nullopt);
    return clan;
}

WorkPackage Package(const Clan& clan) {
    return NewWorkPackage(clan, Freelancer("h"), {"Backend", ""}, "p1", "k1", "m1", kT0);
}

TaskPatch Status(TaskStatus s) {
    TaskPatch p;
    p.status = s;
    return p;
}

}  // namespace

TEST_CASE("Work: HEAD, CO_HEAD and ADMIN create packages and tasks; MEMBERs and outsiders cannot", "[clans]") {
    const Clan clan = Team();
    const WorkPackage p = Package(clan);
    for (const char* who : {"h", "c", "a"}) {
        CHECK(NewWorkPackage(clan, Freelancer(who), {"API", ""}, "p", "k", "m", kT0).created_by == who);
        const ClanTask t = NewTask(clan, Freelancer(who), p, {"Login", "", "m", 8}, "t", kT0);
        CHECK(t.status == TaskStatus::kTodo);
        CHECK(t.assignee_id == "m");
        CHECK(t.version == 1);
    }
    for (const char* who : {"m", "stranger"}) {
        CHECK_THROWS_AS(NewWorkPackage(clan, Freelancer(who), {"API", ""}, "p", "k", "m", kT0), core::PermissionDenied);
        CHECK_THROWS_AS(NewTask(clan, Freelancer(who), p, {"Login", "", "", 0}, "t", kT0), core::PermissionDenied);
    }
}

TEST_CASE("Work: a task's fields are validated, naming the field", "[clans]") {
    const Clan clan = Team();
    const WorkPackage p = Package(clan);
    const auto field = [&](const NewTaskInput& in) {
        try {
            NewTask(clan, Freelancer("h"), p, in, "t", kT0);
        } catch (const core::InvalidArgument& e) {
            return e.field();
        }
        return std::string("(no error)");
    };
    CHECK(field({" ", "", "", 0}) == "title");
    CHECK(field({std::string(201, 't'), "", "", 0}) == "title");
    CHECK(field({"T", std::string(5001, 'd'), "", 0}) == "description");
    CHECK(field({"T", "", "stranger", 0}) == "assignee_id");
    CHECK(field({"Two\nlines", "", "", 0}) == "title");
    CHECK(field({"T", std::string("nul\0", 4), "", 0}) == "description");
    CHECK(field({"T", "", "", -1}) == "estimate_hours");
    CHECK(field({"T", "", "", 10001}) == "estimate_hours");
}

TEST_CASE("Work: statuses move TODO, IN_PROGRESS, REVIEW, DONE; a MEMBER moves only their own tasks", "[clans]") {
    const Clan clan = Team();
    ClanTask t = NewTask(clan, Freelancer("a"), Package(clan), {"Login", "", "m", 8}, "t", kT0);
    // Another member, even a MEMBER, cannot touch m's task; an outsider neither.
    CHECK_THROWS_AS(ChangeTask(clan, Freelancer("n"), t, Status(TaskStatus::kInProgress), kT0), core::PermissionDenied);
    CHECK_THROWS_AS(ChangeTask(clan, Freelancer("x"), t, Status(TaskStatus::kInProgress), kT0), core::PermissionDenied);
    // Skipping a step is refused.
    CHECK_THROWS_AS(ChangeTask(clan, Freelancer("m"), t, Status(TaskStatus::kReview), kT0), core::FailedPrecondition);
    t = ChangeTask(clan, Freelancer("m"), t, Status(TaskStatus::kInProgress), kT0);
    TaskPatch hours;
    hours.logged_hours = 5;
    t = ChangeTask(clan, Freelancer("m"), t, hours, kT0);
    CHECK(t.logged_hours == 5);
    t = ChangeTask(clan, Freelancer("m"), t, Status(TaskStatus::kReview), kT0);
    // The MEMBER cannot approve their own review, nor reassign or rename the task.
    CHECK_THROWS_AS(ChangeTask(clan, Freelancer("m"), t, Status(TaskStatus::kDone), kT0), core::PermissionDenied);
    TaskPatch reassign;
    reassign.assignee_id = "n";
    CHECK_THROWS_AS(ChangeTask(clan, Freelancer("m"), t, reassign, kT0), core::PermissionDenied);
    t = ChangeTask(clan, Freelancer("c"), t, Status(TaskStatus::kDone), kT0);
    CHECK(t.status == TaskStatus::kDone);
    CHECK(t.version == 5);
    CHECK_THROWS_AS(ChangeTask(clan, Freelancer("m"), t, Status(TaskStatus::kInProgress), kT0),
                    core::PermissionDenied);  // only a reviewer reopens
    t = ChangeTask(clan, Freelancer("h"), t, Status(TaskStatus::kInProgress), kT0);
    // A manager reassigns; a change that changes nothing is refused.
    t = ChangeTask(clan, Freelancer("a"), t, reassign, kT0);
    CHECK(t.assignee_id == "n");
    CHECK_THROWS_AS(ChangeTask(clan, Freelancer("a"), t, reassign, kT0), core::InvalidArgument);
    reassign.assignee_id = "stranger";
    CHECK_THROWS_AS(ChangeTask(clan, Freelancer("a"), t, reassign, kT0), core::InvalidArgument);
}
