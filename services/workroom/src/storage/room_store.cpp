#include "storage/room_store.hpp"

#include <cctype>
#include <tuple>

#include <google/protobuf/util/time_util.h>

#include <pqxx/pqxx>

#include "marketplace/blob/digest.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/arrays.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/wire/values.hpp"

namespace marketplace::workroom::storage {
namespace {

v1::MemberRole RoleOf(const std::string& role) {
    if (role == "client") return v1::MEMBER_ROLE_CLIENT;
    return role == "clan_member" ? v1::MEMBER_ROLE_CLAN_MEMBER : v1::MEMBER_ROLE_FREELANCER;
}

// "member-" and the last `n` letters and digits of the user's id, lower-cased.
std::string ClanHandle(const std::string& user_id, std::size_t n) {
    std::string tail;
    for (auto it = user_id.rbegin(); it != user_id.rend() && tail.size() < n; ++it) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(*it)));
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) tail.insert(tail.begin(), c);
    }
    return "member-" + tail;
}

void LoadMembers(pqxx::work& tx, v1::Room& room) {
    for (const auto& row : db::Exec(tx,
                                    "SELECT user_id, role, handle, last_read_sequence FROM room_members "
                                    "WHERE room_id = $1::uuid ORDER BY role, user_id",
                                    room.room_id())) {
        auto* m = room.add_members();
        m->set_user_id(row[0].c_str());
        m->set_role(RoleOf(row[1].c_str()));
        m->set_handle(row[2].c_str());
        m->set_last_read_sequence(row[3].as<std::int64_t>());
    }
}

constexpr char kRoomColumns[] =
    "r.id::text, r.contract_id, r.last_sequence, (extract(epoch FROM r.created_at) * 1000000)::bigint";

v1::Room RoomOfRow(const pqxx::row& row) {
    v1::Room room;
    room.set_room_id(row[0].c_str());
    room.set_contract_id(row[1].c_str());
    room.set_last_sequence(row[2].as<std::int64_t>());
    *room.mutable_created_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row[3].as<std::int64_t>());
    return room;
}

}  // namespace

std::optional<v1::Room> CreateRoom(pqxx::work& tx, const std::string& room_id, const std::string& contract_id,
                                   const std::string& proposal_id, const std::string& client_id,
                                   const std::string& freelancer_id, core::Clock::TimePoint now) {
    const auto inserted =
        db::Exec(tx,
                 "INSERT INTO rooms (id, contract_id, proposal_id, last_sequence, created_at) VALUES ($1::uuid, $2, "
                 "NULLIF($3, ''), 1, $4::timestamptz) ON CONFLICT (contract_id) DO NOTHING RETURNING id",
                 room_id, contract_id, proposal_id, core::FormatRfc3339(now));
    if (inserted.empty()) return std::nullopt;
    db::Exec(tx,
             "INSERT INTO room_members (room_id, user_id, role, handle) VALUES ($1::uuid, $2, 'client', "
             "'client'), ($1::uuid, $3, 'freelancer', 'freelancer')",
             room_id, client_id, freelancer_id);
    auto room = RoomForMember(tx, room_id, client_id);
    room->clear_unread_count();
    v1::WorkroomEvent event;
    event.set_room_id(room_id);
    event.set_sequence(1);
    wire::ToProto(now, event.mutable_occurred_at());
    *event.mutable_room_created() = *room;
    AppendEvent(tx, event);
    for (const auto& user : {client_id, freelancer_id}) {
        db::Exec(tx, "SELECT pg_notify($1, $2)", std::string(kFeedChannel), "r:" + user);
    }
    return room;
}

bool KeepClanPlan(pqxx::work& tx, const std::string& proposal_id, const ClanPlan& plan) {
    return !db::Exec(
                tx,
                "INSERT INTO clan_plans (proposal_id, clan_id, version, member_ids) VALUES ($1, $2, $3, $4::text[]) "
                "ON CONFLICT (proposal_id) DO UPDATE SET clan_id = EXCLUDED.clan_id, version = EXCLUDED.version, "
                "member_ids = EXCLUDED.member_ids WHERE clan_plans.version < EXCLUDED.version RETURNING 1",
                proposal_id, plan.clan_id, plan.version, db::TextArray(plan.member_ids))
                .empty();
}

std::optional<ClanPlan> ClanPlanOf(pqxx::work& tx, const std::string& proposal_id) {
    const auto rows =
        db::Exec(tx, "SELECT clan_id, version, member_ids FROM clan_plans WHERE proposal_id = $1", proposal_id);
    if (rows.empty()) return std::nullopt;
    ClanPlan plan;
    plan.clan_id = rows[0][0].c_str();
    plan.version = rows[0][1].as<int>();
    auto array = rows[0][2].as_array();
    for (auto [kind, value] = array.get_next(); kind != pqxx::array_parser::juncture::done;
         std::tie(kind, value) = array.get_next()) {
        if (kind == pqxx::array_parser::juncture::string_value) plan.member_ids.push_back(value);
    }
    return plan;
}

void SetClanDeparture(pqxx::work& tx, const std::string& clan_id, const std::string& user_id, bool left) {
    if (left) {
        db::Exec(tx, "INSERT INTO clan_departures (clan_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", clan_id,
                 user_id);
    } else {
        db::Exec(tx, "DELETE FROM clan_departures WHERE clan_id = $1 AND user_id = $2", clan_id, user_id);
    }
}

std::vector<std::string> DepartedOf(pqxx::work& tx, const std::string& clan_id,
                                    const std::vector<std::string>& user_ids) {
    std::vector<std::string> out;
    for (const auto& row : db::Exec(
             tx,
             "SELECT user_id FROM clan_departures WHERE clan_id = $1 AND user_id = ANY($2::text[]) ORDER BY user_id",
             clan_id, db::TextArray(user_ids))) {
        out.emplace_back(row[0].c_str());
    }
    return out;
}

std::vector<std::string> ClanProposals(pqxx::work& tx, const std::string& clan_id) {
    std::vector<std::string> out;
    for (const auto& row :
         db::Exec(tx, "SELECT proposal_id FROM clan_plans WHERE clan_id = $1 ORDER BY proposal_id", clan_id)) {
        out.emplace_back(row[0].c_str());
    }
    return out;
}

std::optional<std::string> RoomOfProposal(pqxx::work& tx, const std::string& proposal_id) {
    const auto rows = db::Exec(tx, "SELECT id::text FROM rooms WHERE proposal_id = $1", proposal_id);
    if (rows.empty()) return std::nullopt;
    return std::string(rows[0][0].c_str());
}

PartyChange SetWorkingParty(pqxx::work& tx, const std::string& room_id, const std::vector<std::string>& members) {
    PartyChange change;
    for (const auto& row : db::Exec(tx,
                                    "DELETE FROM room_members WHERE room_id = $1::uuid AND role <> 'client' AND "
                                    "NOT (user_id = ANY($2::text[])) "
                                    "RETURNING user_id",
                                    room_id, db::TextArray(members))) {
        change.removed.emplace_back(row[0].c_str());
    }
    for (const auto& user : members) {
        if (!db::Exec(tx, "SELECT 1 FROM room_members WHERE room_id = $1::uuid AND user_id = $2", room_id, user)
                 .empty()) {
            continue;
        }
        // The handle's tail grows while it is taken (the ids' last characters tell users apart);
        // a fresh random tail if every length is.
        std::string handle;
        for (std::size_t n = 8; n <= 24 && handle.empty(); n += 4) {
            const auto candidate = ClanHandle(user, n);
            if (db::Exec(tx, "SELECT 1 FROM room_members WHERE room_id = $1::uuid AND handle = $2", room_id, candidate)
                    .empty()) {
                handle = candidate;
            }
        }
        if (handle.empty()) handle = ClanHandle(core::NewUuidV7(), 24);
        db::Exec(tx,
                 "INSERT INTO room_members (room_id, user_id, role, handle) VALUES ($1::uuid, $2, 'clan_member', $3)",
                 room_id, user, handle);
        change.added.push_back(user);
    }
    for (const auto& user : change.added) {
        db::Exec(tx, "SELECT pg_notify($1, $2)", std::string(kFeedChannel), "r:" + user);
    }
    for (const auto& user : change.removed) {
        db::Exec(tx, "SELECT pg_notify($1, $2)", std::string(kFeedChannel), "r:" + user);
    }
    return change;
}

std::optional<v1::Room> RoomForMember(pqxx::work& tx, const std::string& room_id, const std::string& user_id) {
    const auto rows = db::Exec(tx,
                               std::string("SELECT ") + kRoomColumns +
                                   " FROM rooms r JOIN room_members m ON m.room_id = r.id "
                                   "WHERE r.id = $1::uuid AND m.user_id = $2",
                               room_id, user_id);
    if (rows.empty()) return std::nullopt;
    auto room = RoomOfRow(rows[0]);
    LoadMembers(tx, room);
    room.set_unread_count(UnreadCount(tx, room_id, user_id));
    return room;
}

std::optional<v1::Room> RoomById(pqxx::work& tx, const std::string& room_id) {
    const auto rows =
        db::Exec(tx, std::string("SELECT ") + kRoomColumns + " FROM rooms r WHERE r.id = $1::uuid", room_id);
    if (rows.empty()) return std::nullopt;
    auto room = RoomOfRow(rows[0]);
    LoadMembers(tx, room);
    return room;
}

std::vector<v1::Room> RoomsOf(pqxx::work& tx, const std::string& user_id, int limit) {
    std::vector<v1::Room> out;
    for (const auto& row : db::Exec(tx,
                                    std::string("SELECT ") + kRoomColumns +
                                        " FROM rooms r JOIN room_members m ON m.room_id = r.id "
                                        "WHERE m.user_id = $1 ORDER BY r.created_at DESC, r.id LIMIT $2::int",
                                    user_id, limit)) {
        auto room = RoomOfRow(row);
        LoadMembers(tx, room);
        room.set_unread_count(UnreadCount(tx, room.room_id(), user_id));
        out.push_back(std::move(room));
    }
    return out;
}

std::map<std::string, std::int64_t> LastSequencesOf(pqxx::work& tx, const std::string& user_id) {
    std::map<std::string, std::int64_t> out;
    for (const auto& row : db::Exec(tx,
                                    "SELECT r.id::text, r.last_sequence FROM rooms r JOIN room_members m ON "
                                    "m.room_id = r.id WHERE m.user_id = $1",
                                    user_id)) {
        out.emplace(row[0].c_str(), row[1].as<std::int64_t>());
    }
    return out;
}

std::vector<MemberHandle> Handles(pqxx::work& tx, const std::string& room_id) {
    std::vector<MemberHandle> out;
    for (const auto& row : db::Exec(tx, "SELECT user_id, handle FROM room_members WHERE room_id = $1::uuid", room_id)) {
        out.push_back({row[0].c_str(), row[1].c_str()});
    }
    return out;
}

std::optional<std::string> RoomOfContract(pqxx::work& tx, const std::string& contract_id) {
    const auto rows = db::Exec(tx, "SELECT id::text FROM rooms WHERE contract_id = $1", contract_id);
    if (rows.empty()) return std::nullopt;
    return std::string(rows[0][0].c_str());
}

std::string ContractOf(pqxx::work& tx, const std::string& room_id) {
    return db::Exec1(tx, "SELECT contract_id FROM rooms WHERE id = $1::uuid", room_id)[0].c_str();
}

std::int64_t NextSequence(pqxx::work& tx, const std::string& room_id) {
    return db::Exec1(tx,
                     "UPDATE rooms SET last_sequence = last_sequence + 1 WHERE id = $1::uuid RETURNING last_sequence",
                     room_id)[0]
        .as<std::int64_t>();
}

std::optional<MembersAndSequence> NextSequenceAsMember(pqxx::work& tx, const std::string& room_id,
                                                       const std::string& user_id) {
    const auto rows = db::Exec(tx,
                               "WITH m AS (SELECT user_id, handle FROM room_members WHERE room_id = $1::uuid), "
                               "s AS (UPDATE rooms SET last_sequence = last_sequence + 1 WHERE id = $1::uuid AND "
                               "EXISTS (SELECT 1 FROM m WHERE m.user_id = $2) RETURNING last_sequence) "
                               "SELECT m.user_id, m.handle, (SELECT last_sequence FROM s) FROM m",
                               room_id, user_id);
    if (rows.empty() || rows[0][2].is_null()) return std::nullopt;
    MembersAndSequence out;
    out.sequence = rows[0][2].as<std::int64_t>();
    for (const auto& row : rows) out.members.push_back({row[0].c_str(), row[1].c_str()});
    return out;
}

void LockRoom(pqxx::work& tx, const std::string& room_id) {
    db::Exec(tx, "SELECT 1 FROM rooms WHERE id = $1::uuid FOR UPDATE", room_id);
}

std::string EventNotice(const v1::WorkroomEvent& event, const std::string& payload) {
    // The NOTIFY is delivered at commit, in commit order; the sequence lets a process know how far the
    // room has gone without reading it, and the event itself, when it is small enough, saves that
    // process reading it back.
    std::string notice = "e:" + event.room_id() + ":" + std::to_string(event.sequence());
    if (payload.size() <= kMaxNotifiedEventBytes) notice += ":" + blob::Base64UrlEncode(payload);
    return notice;
}

void AppendEvent(pqxx::work& tx, const v1::WorkroomEvent& event) {
    const std::string payload = event.SerializeAsString();
    // The row and its NOTIFY in one statement (one round trip).
    const std::string notice = EventNotice(event, payload);
    db::Exec(
        tx,
        "WITH appended AS (INSERT INTO room_events (room_id, sequence, payload, occurred_at) VALUES ($1::uuid, $2, "
        "$3, to_timestamp($4::double precision / 1000000)) RETURNING 1) "
        "SELECT pg_notify($5, $6) FROM appended",
        event.room_id(), event.sequence(), pqxx::binarystring(payload),
        google::protobuf::util::TimeUtil::TimestampToMicroseconds(event.occurred_at()), std::string(kFeedChannel),
        notice);
}

std::vector<v1::WorkroomEvent> EventsAfter(pqxx::transaction_base& tx, const std::string& room_id, std::int64_t after,
                                           int limit) {
    std::vector<v1::WorkroomEvent> out;
    for (const auto& row : db::Exec(tx,
                                    "SELECT payload FROM room_events WHERE room_id = $1::uuid AND sequence > "
                                    "$2::bigint ORDER BY sequence LIMIT $3::int",
                                    room_id, after, limit)) {
        const pqxx::binarystring bytes(row[0]);
        v1::WorkroomEvent event;
        if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
            throw std::runtime_error("room_events: a stored event does not parse");
        }
        out.push_back(std::move(event));
    }
    return out;
}

v1::Member SetHandle(pqxx::work& tx, const std::string& room_id, const std::string& user_id,
                     const std::string& handle) {
    const auto taken = db::Exec(tx,
                                "SELECT 1 FROM room_members WHERE room_id = $1::uuid AND handle = $2 AND "
                                "user_id <> $3",
                                room_id, handle, user_id);
    if (!taken.empty()) throw core::Conflict("handle: another member of the room holds it");
    const auto row = db::Exec1(tx,
                               "UPDATE room_members SET handle = $3 WHERE room_id = $1::uuid AND user_id = $2 "
                               "RETURNING user_id, role, handle, last_read_sequence",
                               room_id, user_id, handle);
    v1::Member m;
    m.set_user_id(row[0].c_str());
    m.set_role(RoleOf(row[1].c_str()));
    m.set_handle(row[2].c_str());
    m.set_last_read_sequence(row[3].as<std::int64_t>());
    return m;
}

std::pair<std::int64_t, std::int64_t> MoveReadMarker(pqxx::work& tx, const std::string& room_id,
                                                     const std::string& user_id, std::int64_t sequence) {
    const auto before = db::Exec1(tx,
                                  "SELECT last_read_sequence FROM room_members WHERE room_id = $1::uuid AND "
                                  "user_id = $2 FOR UPDATE",
                                  room_id, user_id)[0]
                            .as<std::int64_t>();
    if (sequence <= before) return {before, before};
    db::Exec(tx, "UPDATE room_members SET last_read_sequence = $3 WHERE room_id = $1::uuid AND user_id = $2", room_id,
             user_id, sequence);
    return {before, sequence};
}

std::int64_t UnreadCount(pqxx::work& tx, const std::string& room_id, const std::string& user_id) {
    return db::Exec1(tx,
                     "SELECT count(*) FROM messages g JOIN room_members m ON m.room_id = g.room_id AND m.user_id = $2 "
                     "WHERE g.room_id = $1::uuid AND g.sequence > m.last_read_sequence AND g.author_id <> $2 "
                     "AND g.deleted_at IS NULL",
                     room_id, user_id)[0]
        .as<std::int64_t>();
}

void NotifyTyping(pqxx::work& tx, const std::string& room_id, const std::string& user_id) {
    db::Exec(tx, "SELECT pg_notify($1, $2)", std::string(kFeedChannel), "t:" + room_id + ":" + user_id);
}

}  // namespace marketplace::workroom::storage
