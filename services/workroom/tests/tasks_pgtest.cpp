// The task board over gRPC against PostgreSQL: columns and order, moves between neighbours, moves
// from many callers at once, assignees and milestones checked, TaskUpdated published, and the task
// change on the live stream.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "workroom_fixture.hpp"

using namespace marketplace;
using namespace marketplace::workroom;
using namespace marketplace::workroom::testing;

namespace {

v1::Task Create(const Room& room, const std::string& user, const std::string& title,
                v1::TaskStatus status = v1::TASK_STATUS_UNSPECIFIED) {
    v1::CreateTaskRequest request;
    request.set_room_id(room.room_id);
    request.set_title(title);
    request.set_status(status);
    v1::CreateTaskResponse response;
    auto ctx = Context(user);
    const auto s = F().stub->CreateTask(ctx.get(), request, &response);
    if (!s.ok()) throw std::runtime_error("CreateTask: " + s.error_message());
    return response.task();
}

grpc::Status Move(const Room& room, const std::string& user, const std::string& task, v1::TaskStatus status,
                  const std::string& after, v1::Task* out = nullptr) {
    v1::MoveTaskRequest request;
    request.set_room_id(room.room_id);
    request.set_task_id(task);
    request.set_status(status);
    request.set_after_task_id(after);
    v1::MoveTaskResponse response;
    auto ctx = Context(user);
    auto s = F().stub->MoveTask(ctx.get(), request, &response);
    if (out) *out = response.task();
    return s;
}

/// "column:title" in board order.
std::vector<std::string> Board(const Room& room, const std::string& user) {
    v1::ListTasksRequest request;
    request.set_room_id(room.room_id);
    v1::ListTasksResponse response;
    auto ctx = Context(user);
    const auto s = F().stub->ListTasks(ctx.get(), request, &response);
    if (!s.ok()) throw std::runtime_error("ListTasks: " + s.error_message());
    std::vector<std::string> out;
    for (const auto& t : response.tasks()) {
        out.push_back(std::string(t.status() == v1::TASK_STATUS_TODO    ? "todo"
                                  : t.status() == v1::TASK_STATUS_DOING ? "doing"
                                                                        : "done") +
                      ":" + t.title());
    }
    return out;
}

}  // namespace

TEST_CASE("Tasks: a new task goes to the top of its column; a move lands right after the task named",
          "[workroom][pg]") {
    const auto room = NewRoom();
    const auto a = Create(room, room.client, "a");
    const auto b = Create(room, room.client, "b");
    const auto c = Create(room, room.freelancer, "c", v1::TASK_STATUS_DOING);
    CHECK(Board(room, room.client) == std::vector<std::string>{"todo:b", "todo:a", "doing:c"});
    REQUIRE(Move(room, room.freelancer, b.task_id(), v1::TASK_STATUS_TODO, a.task_id()).ok());
    CHECK(Board(room, room.client) == std::vector<std::string>{"todo:a", "todo:b", "doing:c"});
    REQUIRE(Move(room, room.freelancer, a.task_id(), v1::TASK_STATUS_DOING, c.task_id()).ok());
    CHECK(Board(room, room.client) == std::vector<std::string>{"todo:b", "doing:c", "doing:a"});
    REQUIRE(Move(room, room.freelancer, a.task_id(), v1::TASK_STATUS_DONE, "").ok());
    REQUIRE(Move(room, room.freelancer, c.task_id(), v1::TASK_STATUS_DONE, "").ok());
    CHECK(Board(room, room.client) == std::vector<std::string>{"todo:b", "done:c", "done:a"});
    // After a task of another column: refused, naming the field; the board is unchanged.
    CHECK(Move(room, room.client, b.task_id(), v1::TASK_STATUS_DOING, c.task_id()).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(Move(room, room.client, b.task_id(), v1::TASK_STATUS_UNSPECIFIED, "").error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(Board(room, room.client) == std::vector<std::string>{"todo:b", "done:c", "done:a"});
    // Every change published TaskUpdated: three creations and four moves (the refused ones none).
    CHECK(OutboxCount("TaskUpdated", room.room_id) == 7);
}

TEST_CASE("Tasks: moves from many callers at once all land, each once, in a strict order", "[workroom][pg]") {
    const auto room = NewRoom();
    std::vector<v1::Task> tasks;
    for (int i = 0; i < 12; ++i) tasks.push_back(Create(room, room.client, "t" + std::to_string(i)));
    const auto anchor = Create(room, room.client, "anchor", v1::TASK_STATUS_DOING);
    // Twelve callers move twelve tasks right after the same anchor at the same time.
    std::vector<std::thread> threads;
    std::vector<grpc::StatusCode> codes(tasks.size());
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        threads.emplace_back([&, i] {
            codes[i] = Move(room, i % 2 ? room.client : room.freelancer, tasks[i].task_id(), v1::TASK_STATUS_DOING,
                            anchor.task_id())
                           .error_code();
        });
    }
    for (auto& t : threads) t.join();
    for (auto code : codes) CHECK(code == grpc::StatusCode::OK);
    const auto board = Board(room, room.client);
    REQUIRE(board.size() == 13);
    CHECK(board.front() == "doing:anchor");
    std::set<std::string> seen(board.begin(), board.end());
    CHECK(seen.size() == 13);
    // Ranks are distinct and sorted as the board shows them.
    v1::ListTasksRequest request;
    request.set_room_id(room.room_id);
    v1::ListTasksResponse response;
    auto ctx = Context(room.client);
    REQUIRE(F().stub->ListTasks(ctx.get(), request, &response).ok());
    for (int i = 1; i < response.tasks_size(); ++i) CHECK(response.tasks(i - 1).rank() < response.tasks(i).rank());
}

TEST_CASE("Tasks: the assignee must be a member and the milestone the contract's", "[workroom][pg]") {
    const auto room = NewRoom();
    auto create = [&](const std::string& title, const std::string& assignee, const std::string& milestone) {
        v1::CreateTaskRequest request;
        request.set_room_id(room.room_id);
        request.set_title(title);
        request.set_assignee_id(assignee);
        request.set_milestone_id(milestone);
        v1::CreateTaskResponse response;
        auto ctx = Context(room.client);
        const auto s = F().stub->CreateTask(ctx.get(), request, &response);
        return std::make_pair(s.error_code(), ErrorField(*ctx));
    };
    CHECK(create("ship it", room.freelancer, room.milestone_id).first == grpc::StatusCode::OK);
    CHECK(create("ship it", "someone-else", "") ==
          std::make_pair(grpc::StatusCode::INVALID_ARGUMENT, std::string("assignee_id")));
    CHECK(create("ship it", "", "018f2b1e-0000-7000-8000-000000000000") ==
          std::make_pair(grpc::StatusCode::INVALID_ARGUMENT, std::string("milestone_id")));
    CHECK(create("", "", "") == std::make_pair(grpc::StatusCode::INVALID_ARGUMENT, std::string("title")));
    CHECK(create(std::string(201, 't'), "", "") ==
          std::make_pair(grpc::StatusCode::INVALID_ARGUMENT, std::string("title")));
    // A stranger cannot see the board.
    v1::ListTasksRequest request;
    request.set_room_id(room.room_id);
    v1::ListTasksResponse response;
    auto ctx = Context("board-stranger");
    CHECK(F().stub->ListTasks(ctx.get(), request, &response).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("Tasks: an update replaces title, assignee and milestone and reaches the live stream", "[workroom][pg]") {
    const auto room = NewRoom();
    const auto t = Create(room, room.client, "draft the API");
    // The stream starts after the creation; the update is what it sees.
    v1::StreamWorkroomRequest stream_request;
    auto stream_ctx = Context(room.freelancer, 30);
    auto reader = F().stub->StreamWorkroom(stream_ctx.get(), stream_request);
    v1::WorkroomEvent e;
    REQUIRE(reader->Read(&e));
    REQUIRE(e.has_live());
    v1::UpdateTaskRequest request;
    request.set_room_id(room.room_id);
    request.set_task_id(t.task_id());
    request.set_title("draft and review the API");
    request.set_assignee_id(room.freelancer);
    request.set_milestone_id(room.milestone_id);
    v1::UpdateTaskResponse response;
    auto ctx = Context(room.client);
    REQUIRE(F().stub->UpdateTask(ctx.get(), request, &response).ok());
    CHECK(response.task().title() == "draft and review the API");
    CHECK(response.task().assignee_id() == room.freelancer);
    CHECK(response.task().milestone_id() == room.milestone_id);
    do {
        REQUIRE(reader->Read(&e));
    } while (e.room_id() != room.room_id);
    REQUIRE(e.has_task_updated());
    CHECK(e.task_updated().title() == "draft and review the API");
    stream_ctx->TryCancel();
    reader->Finish();
}
