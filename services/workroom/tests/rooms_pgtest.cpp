// Rooms from contracts' ContractCreated, and who may see them: the parties are members, anyone else
// gets NOT_FOUND for the room and everything in it.
#include <catch2/catch.hpp>

#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "workroom_fixture.hpp"

using namespace marketplace;
using namespace marketplace::workroom;
using namespace marketplace::workroom::testing;

TEST_CASE("Workroom: ContractCreated makes a room whose members are the contract's parties", "[workroom][pg]") {
    const auto room = NewRoom();
    v1::GetRoomRequest request;
    request.set_room_id(room.room_id);
    v1::GetRoomResponse response;
    auto ctx = Context(room.client);
    REQUIRE(F().stub->GetRoom(ctx.get(), request, &response).ok());
    CHECK(response.room().contract_id() == room.contract_id);
    REQUIRE(response.room().members_size() == 2);
    CHECK(response.room().members(0).user_id() == room.client);
    CHECK(response.room().members(0).role() == v1::MEMBER_ROLE_CLIENT);
    CHECK(response.room().members(0).handle() == "client");
    CHECK(response.room().members(1).user_id() == room.freelancer);
    CHECK(response.room().members(1).handle() == "freelancer");
    CHECK(response.room().last_sequence() == 1);  // the room_created event
}

TEST_CASE("Workroom: a redelivered ContractCreated makes no second room", "[workroom][pg]") {
    contracts::v1::ContractCreated e;
    e.set_contract_id(core::NewUuidV7());
    e.set_client_id("client-redelivered");
    e.set_freelancer_id("freelancer-redelivered");
    Deliver(e);
    Deliver(e);  // another event id: the inbox would not catch it, the unique contract does
    int rooms = 0;
    InTx([&](pqxx::work& tx) {
        rooms = tx.exec_params1("SELECT count(*) FROM rooms WHERE contract_id = $1", e.contract_id())[0].as<int>();
    });
    CHECK(rooms == 1);
}

TEST_CASE("Workroom: a stranger gets NOT_FOUND for the room, its messages and posting", "[workroom][pg]") {
    const auto room = NewRoom();
    const auto message = Post(room, room.client, "only for the parties");
    const std::string stranger = "stranger-" + core::NewUuidV4().substr(0, 8);
    {
        v1::GetRoomRequest request;
        request.set_room_id(room.room_id);
        v1::GetRoomResponse response;
        auto ctx = Context(stranger);
        CHECK(F().stub->GetRoom(ctx.get(), request, &response).error_code() == grpc::StatusCode::NOT_FOUND);
    }
    {
        v1::ListMessagesRequest request;
        request.set_room_id(room.room_id);
        v1::ListMessagesResponse response;
        auto ctx = Context(stranger);
        CHECK(F().stub->ListMessages(ctx.get(), request, &response).error_code() == grpc::StatusCode::NOT_FOUND);
    }
    {
        v1::PostMessageRequest request;
        request.set_room_id(room.room_id);
        request.set_text("let me in");
        v1::PostMessageResponse response;
        auto ctx = Context(stranger);
        CHECK(F().stub->PostMessage(ctx.get(), request, &response).error_code() == grpc::StatusCode::NOT_FOUND);
    }
    {
        v1::SearchMessagesRequest request;
        request.set_room_id(room.room_id);
        request.set_query("parties");
        v1::SearchMessagesResponse response;
        auto ctx = Context(stranger);
        CHECK(F().stub->SearchMessages(ctx.get(), request, &response).error_code() == grpc::StatusCode::NOT_FOUND);
    }
    {
        v1::ListRoomsRequest request;
        v1::ListRoomsResponse response;
        auto ctx = Context(stranger);
        REQUIRE(F().stub->ListRooms(ctx.get(), request, &response).ok());
        CHECK(response.rooms().empty());
    }
    {
        v1::GetRoomRequest request;
        request.set_room_id(room.room_id);
        v1::GetRoomResponse response;
        auto ctx = Context("");
        CHECK(F().stub->GetRoom(ctx.get(), request, &response).error_code() == grpc::StatusCode::UNAUTHENTICATED);
    }
    CHECK_FALSE(message.message_id().empty());
}

TEST_CASE("Workroom: ListRooms shows the caller's rooms with their unread counts", "[workroom][pg]") {
    const auto room = NewRoom();
    Post(room, room.client, "one");
    Post(room, room.client, "two");
    v1::ListRoomsRequest request;
    v1::ListRoomsResponse response;
    auto ctx = Context(room.freelancer);
    REQUIRE(F().stub->ListRooms(ctx.get(), request, &response).ok());
    REQUIRE(response.rooms_size() == 1);
    CHECK(response.rooms(0).room_id() == room.room_id);
    CHECK(response.rooms(0).unread_count() == 2);
}

TEST_CASE("Workroom: a handle is unique in its room and well formed", "[workroom][pg]") {
    const auto room = NewRoom();
    auto set = [&](const std::string& user, const std::string& handle, v1::SetHandleResponse* response) {
        v1::SetHandleRequest request;
        request.set_room_id(room.room_id);
        request.set_handle(handle);
        auto ctx = Context(user);
        auto status = F().stub->SetHandle(ctx.get(), request, response);
        return std::make_pair(status.error_code(), ErrorField(*ctx));
    };
    v1::SetHandleResponse response;
    CHECK(set(room.freelancer, "dana", &response).first == grpc::StatusCode::OK);
    CHECK(response.member().handle() == "dana");
    CHECK(set(room.client, "dana", &response).first == grpc::StatusCode::ALREADY_EXISTS);
    CHECK(set(room.client, "Not Valid", &response) ==
          std::make_pair(grpc::StatusCode::INVALID_ARGUMENT, std::string("handle")));
}
