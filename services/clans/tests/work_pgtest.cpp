// A hired clan's work packages and tasks over real gRPC on real PostgreSQL: who creates and who
// changes what, packages only on the clan's own milestones, visibility to members only, and the
// ClanTaskCreated / ClanTaskChanged events in the outbox.
#include <catch2/catch.hpp>

#include "clans_fixture.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"

using namespace marketplace::clans;
using namespace marketplace::clans::testing;
namespace core = marketplace::core;

namespace {

std::string NewUser() { return core::NewUuidV4(); }

struct Crew {
    std::string clan_id, h, a, m, n, client, contract_id, milestone_id;
};

Crew MakeCrew() {
    Crew w{"", NewUser(), NewUser(), NewUser(), NewUser(), NewUser(), core::NewUuidV7(), core::NewUuidV7()};
    v1::CreateClanRequest create;
    create.set_name("Work clan");
    create.set_handle("w" + core::NewUuidV4().substr(0, 8));
    v1::CreateClanResponse created;
    {
        auto ctx = Context(w.h);
        REQUIRE(F().stub->CreateClan(ctx.get(), create, &created).ok());
    }
    w.clan_id = created.clan().clan_id();
    for (const auto& u : {w.a, w.m, w.n}) {
        v1::InviteMemberRequest inv;
        inv.set_clan_id(w.clan_id);
        inv.set_user_id(u);
        v1::InviteMemberResponse ir;
        auto c1 = Context(w.h);
        REQUIRE(F().stub->InviteMember(c1.get(), inv, &ir).ok());
        v1::RespondToInvitationRequest rr;
        rr.set_clan_id(w.clan_id);
        rr.set_accept(true);
        v1::RespondToInvitationResponse rp;
        auto c2 = Context(u);
        REQUIRE(F().stub->RespondToInvitation(c2.get(), rr, &rp).ok());
    }
    v1::SetMemberRoleRequest sr;
    sr.set_clan_id(w.clan_id);
    sr.set_user_id(w.a);
    sr.set_role(v1::ROLE_ADMIN);
    v1::SetMemberRoleResponse sp;
    auto c3 = Context(w.h);
    REQUIRE(F().stub->SetMemberRole(c3.get(), sr, &sp).ok());
    marketplace::contracts::v1::ContractCreated contract;
    contract.set_contract_id(w.contract_id);
    contract.set_proposal_id(core::NewUuidV7());
    contract.set_client_id(w.client);
    contract.set_freelancer_id(w.clan_id);
    contract.add_milestone_ids(w.milestone_id);
    Deliver(contract);
    return w;
}

grpc::Status NewPackage(const Crew& w, const std::string& who, const std::string& milestone,
                        v1::CreateWorkPackageResponse* out = nullptr, std::string* field = nullptr) {
    v1::CreateWorkPackageRequest req;
    req.set_clan_id(w.clan_id);
    req.set_contract_id(w.contract_id);
    req.set_milestone_id(milestone);
    req.set_title("Backend");
    v1::CreateWorkPackageResponse resp;
    auto ctx = Context(who);
    const auto s = F().stub->CreateWorkPackage(ctx.get(), req, &resp);
    if (out) *out = resp;
    if (field) *field = ErrorField(*ctx);
    return s;
}

grpc::Status NewTask(const Crew& w, const std::string& who, const std::string& package, const std::string& assignee,
                     v1::CreateClanTaskResponse* out = nullptr) {
    v1::CreateClanTaskRequest req;
    req.set_clan_id(w.clan_id);
    req.set_package_id(package);
    req.set_title("Login endpoint");
    req.set_assignee_id(assignee);
    req.set_estimate_hours(12);
    v1::CreateClanTaskResponse resp;
    auto ctx = Context(who);
    const auto s = F().stub->CreateClanTask(ctx.get(), req, &resp);
    if (out) *out = resp;
    return s;
}

grpc::Status Move(const Crew& w, const std::string& who, const std::string& task, v1::TaskStatus status,
                  v1::UpdateClanTaskResponse* out = nullptr) {
    v1::UpdateClanTaskRequest req;
    req.set_clan_id(w.clan_id);
    req.set_task_id(task);
    req.set_status(status);
    v1::UpdateClanTaskResponse resp;
    auto ctx = Context(who);
    const auto s = F().stub->UpdateClanTask(ctx.get(), req, &resp);
    if (out) *out = resp;
    return s;
}

}  // namespace

TEST_CASE("Work: packages on the clan's milestones, tasks by managers, members move their own, members see all",
          "[clans][pg]") {
    const Crew w = MakeCrew();
    // A MEMBER, an outsider and the client cannot create a package; a milestone that is not the
    // clan's is refused naming the field.
    for (const auto& who : {w.m, NewUser(), w.client}) {
        CHECK(NewPackage(w, who, w.milestone_id).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    }
    std::string field;
    CHECK(NewPackage(w, w.h, core::NewUuidV7(), nullptr, &field).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(field == "milestone_id");
    v1::CreateWorkPackageResponse package;
    REQUIRE(NewPackage(w, w.a, w.milestone_id, &package).ok());
    const std::string package_id = package.package().package_id();
    CHECK(OutboxCount("WorkPackageCreated", w.clan_id) == 1);

    // Tasks: managers create them (assigned to a member), a MEMBER cannot.
    CHECK(NewTask(w, w.m, package_id, w.m).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(NewTask(w, w.h, package_id, NewUser()).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    v1::CreateClanTaskResponse task;
    REQUIRE(NewTask(w, w.h, package_id, w.m, &task).ok());
    const std::string task_id = task.task().task_id();
    CHECK(task.task().status() == v1::TASK_STATUS_TODO);
    CHECK(OutboxCount("ClanTaskCreated", w.clan_id) == 1);

    // The assignee moves it; another MEMBER, an outsider and the client cannot.
    for (const auto& who : {w.n, NewUser(), w.client}) {
        CHECK(Move(w, who, task_id, v1::TASK_STATUS_IN_PROGRESS).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    }
    CHECK(Move(w, w.m, task_id, v1::TASK_STATUS_REVIEW).error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    REQUIRE(Move(w, w.m, task_id, v1::TASK_STATUS_IN_PROGRESS).ok());
    {
        v1::UpdateClanTaskRequest req;
        req.set_clan_id(w.clan_id);
        req.set_task_id(task_id);
        req.mutable_logged_hours()->set_value(7);
        v1::UpdateClanTaskResponse resp;
        auto ctx = Context(w.m);
        REQUIRE(F().stub->UpdateClanTask(ctx.get(), req, &resp).ok());
        CHECK(resp.task().logged_hours() == 7);
        req.clear_logged_hours();
        req.mutable_assignee_id()->set_value(w.n);  // a MEMBER does not reassign
        auto ctx2 = Context(w.m);
        CHECK(F().stub->UpdateClanTask(ctx2.get(), req, &resp).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    }
    REQUIRE(Move(w, w.m, task_id, v1::TASK_STATUS_REVIEW).ok());
    CHECK(Move(w, w.m, task_id, v1::TASK_STATUS_DONE).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    v1::UpdateClanTaskResponse done;
    REQUIRE(Move(w, w.a, task_id, v1::TASK_STATUS_DONE, &done).ok());
    CHECK(done.task().status() == v1::TASK_STATUS_DONE);
    CHECK(done.task().version() == 5);
    CHECK(OutboxCount("ClanTaskChanged", w.clan_id) == 4);

    // Every member sees the packages and tasks; the client and outsiders do not.
    v1::ListWorkPackagesRequest list;
    list.set_clan_id(w.clan_id);
    for (const auto& who : {w.h, w.a, w.m, w.n}) {
        v1::ListWorkPackagesResponse resp;
        auto ctx = Context(who);
        REQUIRE(F().stub->ListWorkPackages(ctx.get(), list, &resp).ok());
        REQUIRE(resp.packages_size() == 1);
        REQUIRE(resp.packages(0).tasks_size() == 1);
        CHECK(resp.packages(0).tasks(0).logged_hours() == 7);
        CHECK(resp.packages(0).milestone_id() == w.milestone_id);
    }
    for (const auto& who : {w.client, NewUser()}) {
        v1::ListWorkPackagesResponse resp;
        auto ctx = Context(who, who == w.client ? "client" : "freelancer");
        CHECK(F().stub->ListWorkPackages(ctx.get(), list, &resp).error_code() == grpc::StatusCode::PERMISSION_DENIED);
    }
}
