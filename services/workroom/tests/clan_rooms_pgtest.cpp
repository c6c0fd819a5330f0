// A clan contract's room: its members are the client and the clan members named in the payout plan
// in force, kept current from clans' events (PayoutSplitLocked, ClanMemberChanged), whichever of
// contracts' and clans' events arrives first; a member who leaves the clan leaves its rooms and stops
// receiving them on the live stream.
#include <catch2/catch.hpp>

#include <algorithm>

#include "marketplace/clans/v1/events.pb.h"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "workroom_fixture.hpp"

using namespace marketplace;
using namespace marketplace::workroom;
using namespace marketplace::workroom::testing;

namespace {

struct ClanContract {
    std::string clan_id = core::NewUuidV7();
    std::string proposal_id = core::NewUuidV7();
    std::string contract_id = core::NewUuidV7();
    std::string client = "client-" + core::NewUuidV4().substr(0, 8);
};

std::string NewUser(const std::string& name) { return name + "-" + core::NewUuidV4(); }

void DeliverContract(const ClanContract& c) {
    contracts::v1::ContractCreated e;
    e.set_contract_id(c.contract_id);
    e.set_proposal_id(c.proposal_id);
    e.set_client_id(c.client);
    e.set_freelancer_id(c.clan_id);  // a clan's contract names the clan as its working party
    e.add_milestone_ids(core::NewUuidV7());
    Deliver(e);
}

void DeliverPlan(const ClanContract& c, int version, const std::vector<std::string>& members) {
    clans::v1::PayoutSplitLocked e;
    e.set_clan_id(c.clan_id);
    e.set_proposal_id(c.proposal_id);
    e.set_version(version);
    e.set_leader_id(members.front());
    e.set_split_mode("bps");
    for (const auto& user : members) {
        auto* share = e.add_shares();
        share->set_user_id(user);
        share->set_role("developer");
        share->set_weight(10000 / static_cast<int>(members.size()));
    }
    Deliver(e);
}

void DeliverMembership(const ClanContract& c, const std::string& user, const std::string& change) {
    clans::v1::ClanMemberChanged e;
    e.set_clan_id(c.clan_id);
    e.set_user_id(user);
    e.set_change(change);
    e.set_role(change == "joined" ? "member" : "");
    e.set_actor_id(user);
    e.set_members_version(1);
    Deliver(e);
}

/// A freelancer contract of `freelancer` with a fresh client, and its room.
Room RoomWith(const std::string& freelancer) {
    Room room;
    room.contract_id = core::NewUuidV7();
    room.client = "client-" + core::NewUuidV4().substr(0, 8);
    room.freelancer = freelancer;
    contracts::v1::ContractCreated e;
    e.set_contract_id(room.contract_id);
    e.set_proposal_id(core::NewUuidV7());
    e.set_client_id(room.client);
    e.set_freelancer_id(freelancer);
    Deliver(e);
    InTx([&](pqxx::work& tx) {
        room.room_id =
            tx.exec_params1("SELECT id::text FROM rooms WHERE contract_id = $1", room.contract_id)[0].c_str();
    });
    return room;
}

std::string RoomOf(const ClanContract& c) {
    std::string room;
    InTx([&](pqxx::work& tx) {
        room = tx.exec_params1("SELECT id::text FROM rooms WHERE contract_id = $1", c.contract_id)[0].c_str();
    });
    return room;
}

/// The room as `user` gets it, or nullopt on NOT_FOUND.
std::optional<v1::Room> GetRoom(const std::string& room_id, const std::string& user) {
    v1::GetRoomRequest request;
    request.set_room_id(room_id);
    v1::GetRoomResponse response;
    auto ctx = Context(user);
    const auto status = F().stub->GetRoom(ctx.get(), request, &response);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) return std::nullopt;
    if (!status.ok()) throw std::runtime_error("GetRoom: " + status.error_message());
    return response.room();
}

std::vector<std::string> MemberIds(const v1::Room& room) {
    std::vector<std::string> out;
    for (const auto& m : room.members()) out.push_back(m.user_id());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace

TEST_CASE("Clan rooms: the members named in the plan in force join, follow its versions and leave with the clan",
          "[workroom][pg]") {
    const ClanContract c;
    const auto a = NewUser("a"), b = NewUser("b"), d = NewUser("d"), e = NewUser("e");
    DeliverContract(c);
    const auto room_id = RoomOf(c);
    // Until the plan is known the clan stands as the working party; nobody of it reads the room.
    CHECK_FALSE(GetRoom(room_id, a));

    Stream a_stream(F(), a);  // open before a joins the room: the room arrives whole
    DeliverPlan(c, 1, {a, b, d});
    auto room = GetRoom(room_id, a);
    REQUIRE(room);
    CHECK(MemberIds(*room) == Sorted({c.client, a, b, d}));
    for (const auto& m : room->members()) {
        if (m.user_id() == c.client) {
            CHECK(m.role() == v1::MEMBER_ROLE_CLIENT);
            continue;
        }
        CHECK(m.role() == v1::MEMBER_ROLE_CLAN_MEMBER);
        CHECK(m.handle().rfind("member-", 0) == 0);
    }
    CHECK_FALSE(GetRoom(room_id, c.clan_id));  // the stand-in is gone
    auto event = a_stream.NextIn(room_id);
    CHECK(event.has_room_created());
    event = a_stream.NextIn(room_id);
    REQUIRE(event.has_members_changed());
    CHECK(MemberIds(event.members_changed()) == Sorted({c.client, a, b, d}));
    const auto after_v1 = room->last_sequence();

    // A redelivered or older version changes nothing.
    DeliverPlan(c, 1, {a, b, d});
    CHECK(GetRoom(room_id, a)->last_sequence() == after_v1);

    // b leaves the clan: out of the room, and their open stream carries nothing of it any more.
    Stream b_stream(F(), b);
    DeliverMembership(c, b, "left");
    CHECK_FALSE(GetRoom(room_id, b));
    event = a_stream.NextIn(room_id);
    REQUIRE(event.has_members_changed());
    CHECK(MemberIds(event.members_changed()) == Sorted({c.client, a, d}));
    const auto m1 = Post({c.contract_id, room_id, c.client, a, ""}, a, "b has left us");
    // b's own contract, made after the clan's room (so its room id sorts after it): a message there
    // reaches b's stream after anything still due to b from the clan's room.
    const auto own = RoomWith(b);
    const auto m2 = Post(own, own.client, "a room b still belongs to");
    for (;;) {
        const auto seen = b_stream.Next();
        if (!seen.has_message_posted()) continue;  // b's removal itself, b's new room
        REQUIRE(seen.message_posted().message_id() != m1.message_id());
        if (seen.message_posted().message_id() == m2.message_id()) break;
    }
    // A stream resumed with the clan's room in its cursor does not reopen it.
    Stream b_again(F(), b, room_id + ":0");
    const auto m3 = Post(own, own.client, "after b's resume");
    for (;;) {
        const auto seen = b_again.Next();
        REQUIRE(seen.room_id() != room_id);
        if (seen.has_message_posted() && seen.message_posted().message_id() == m3.message_id()) break;
    }

    // Version 2 names e instead of b: e joins; b joining the clan again is not named, so stays out.
    DeliverPlan(c, 2, {a, d, e});
    DeliverMembership(c, b, "joined");
    room = GetRoom(room_id, e);
    REQUIRE(room);
    CHECK(MemberIds(*room) == Sorted({c.client, a, d, e}));
    CHECK_FALSE(GetRoom(room_id, b));
    // Version 1 arriving late changes nothing.
    const auto after_v2 = room->last_sequence();
    DeliverPlan(c, 1, {a, b, d});
    CHECK(GetRoom(room_id, a)->last_sequence() == after_v2);
}

TEST_CASE("Clan rooms: a plan that arrives before its contract makes the room with the clan's members",
          "[workroom][pg]") {
    const ClanContract c;
    const auto a = NewUser("a"), b = NewUser("b");
    DeliverPlan(c, 1, {a, b});
    DeliverContract(c);
    const auto room_id = RoomOf(c);
    const auto room = GetRoom(room_id, b);
    REQUIRE(room);
    CHECK(MemberIds(*room) == Sorted({c.client, a, b}));
    CHECK_FALSE(GetRoom(room_id, c.clan_id));
    CHECK(room->last_sequence() == 2);  // room_created, then members_changed
}

TEST_CASE("Clan rooms: a member who leaves before the contract exists never joins its room", "[workroom][pg]") {
    const ClanContract c;
    const auto a = NewUser("a"), b = NewUser("b");
    DeliverPlan(c, 1, {a, b});
    DeliverMembership(c, b, "removed");
    DeliverContract(c);
    const auto room = GetRoom(RoomOf(c), a);
    REQUIRE(room);
    CHECK(MemberIds(*room) == Sorted({c.client, a}));
}

TEST_CASE("Clan rooms: malformed clan events are refused naming the field", "[workroom][pg]") {
    clans::v1::PayoutSplitLocked e;
    e.set_clan_id(core::NewUuidV7());
    e.set_version(1);
    CHECK_THROWS_WITH(Deliver(e), Catch::Contains("proposal_id"));
    e.set_proposal_id(core::NewUuidV7());
    e.set_version(0);
    CHECK_THROWS_WITH(Deliver(e), Catch::Contains("version"));
}
