#pragma once
// SQL for rooms, their members, sequences, read markers and the stored event log a live stream
// replays. Every stored event NOTIFYs kFeedChannel in its transaction (delivered after commit).
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/message_rules.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::workroom::storage {

/// The channel live streams LISTEN on. Payloads: "e:<room_id>:<sequence>[:<event>]" a stored event,
/// "t:<room_id>:<user_id>" someone typing (never stored), "r:<user_id>" the user joined or left a room.
inline constexpr char kFeedChannel[] = "workroom_feed";
/// A stored event whose bytes are at most this long rides along in its NOTIFY, base64url-encoded
/// ("e:<room>:<sequence>:<event>"; PostgreSQL takes payloads under 8,000 bytes), so the processes
/// streaming the room take it from the notification instead of reading it back.
inline constexpr std::size_t kMaxNotifiedEventBytes = 5600;

/// Creates the room of `contract_id` (from the accepted proposal `proposal_id`) with its two parties
/// (handles "client" and "freelancer") and stores its first event (sequence 1, room_created).
/// nullopt, writing nothing, when the contract already has a room.
std::optional<v1::Room> CreateRoom(pqxx::work& tx, const std::string& room_id, const std::string& contract_id,
                                   const std::string& proposal_id, const std::string& client_id,
                                   const std::string& freelancer_id, core::Clock::TimePoint now);

/// A clan contract's plan in force: its clan and the members it names.
struct ClanPlan {
    std::string clan_id;
    int version = 0;
    std::vector<std::string> member_ids;
};

/// Records `plan` as the plan of `proposal_id` unless a version at least as high is recorded; true
/// when it was recorded.
bool KeepClanPlan(pqxx::work& tx, const std::string& proposal_id, const ClanPlan& plan);

/// The plan recorded for `proposal_id`, if any.
std::optional<ClanPlan> ClanPlanOf(pqxx::work& tx, const std::string& proposal_id);

/// Records that `user_id` left `clan_id` (left true) or joined it again (left false).
void SetClanDeparture(pqxx::work& tx, const std::string& clan_id, const std::string& user_id, bool left);

/// The members of `clan_id` who left it and have not joined again, among `user_ids`.
std::vector<std::string> DepartedOf(pqxx::work& tx, const std::string& clan_id,
                                    const std::vector<std::string>& user_ids);

/// The proposals of the clan's contracts whose plan is recorded.
std::vector<std::string> ClanProposals(pqxx::work& tx, const std::string& clan_id);

/// The room of the contract that came from `proposal_id`, if it has one.
std::optional<std::string> RoomOfProposal(pqxx::work& tx, const std::string& proposal_id);

/// Who changed in a room's working party.
struct PartyChange {
    std::vector<std::string> added;
    std::vector<std::string> removed;
};

/// Makes the room's working party (every member but the client) exactly `members`: the others leave
/// the room (their messages stay), the new ones join as clan members with the handle
/// "member-" and the last characters of their id (longer when taken).
PartyChange SetWorkingParty(pqxx::work& tx, const std::string& room_id, const std::vector<std::string>& members);

/// The room as `user_id` sees it (with their unread count); nullopt when it does not exist or the
/// user is not a member (callers answer NOT_FOUND either way).
std::optional<v1::Room> RoomForMember(pqxx::work& tx, const std::string& room_id, const std::string& user_id);

/// The room with its members (no caller's unread count); nullopt when it does not exist.
std::optional<v1::Room> RoomById(pqxx::work& tx, const std::string& room_id);

/// The rooms of `user_id`, newest first, at most `limit`.
std::vector<v1::Room> RoomsOf(pqxx::work& tx, const std::string& user_id, int limit);

/// Every room of `user_id` with its last sequence.
std::map<std::string, std::int64_t> LastSequencesOf(pqxx::work& tx, const std::string& user_id);

/// The members' handles of a room.
std::vector<MemberHandle> Handles(pqxx::work& tx, const std::string& room_id);

/// The room of a contract, if it has one.
std::optional<std::string> RoomOfContract(pqxx::work& tx, const std::string& contract_id);

/// The contract of a room.
std::string ContractOf(pqxx::work& tx, const std::string& room_id);

/// Takes the room's next sequence, locking its row until commit (so the room's events commit in
/// sequence order).
std::int64_t NextSequence(pqxx::work& tx, const std::string& room_id);

/// The NOTIFY payload that announces a stored event ("e:<room>:<sequence>[:<event>]", the event's
/// serialized bytes `payload` included when they are at most kMaxNotifiedEventBytes).
std::string EventNotice(const v1::WorkroomEvent& event, const std::string& payload);

/// A room's members with their handles and, when `user_id` is one of them, the room's next sequence,
/// taken as NextSequence takes it (the row locked until commit), in one statement. nullopt, taking
/// nothing, when `user_id` is not a member (or there is no such room).
struct MembersAndSequence {
    std::vector<MemberHandle> members;
    std::int64_t sequence = 0;
};
std::optional<MembersAndSequence> NextSequenceAsMember(pqxx::work& tx, const std::string& room_id,
                                                       const std::string& user_id);

/// Locks the room's row until commit (what NextSequence does, without taking a sequence).
void LockRoom(pqxx::work& tx, const std::string& room_id);

/// Stores `event` (its room_id and sequence set) and NOTIFYs the live streams.
void AppendEvent(pqxx::work& tx, const v1::WorkroomEvent& event);

/// Stored events of a room with a sequence above `after`, oldest first, at most `limit`. One statement:
/// a live stream runs it outside a transaction (one round trip instead of BEGIN, SELECT, COMMIT).
std::vector<v1::WorkroomEvent> EventsAfter(pqxx::transaction_base& tx, const std::string& room_id, std::int64_t after,
                                           int limit);

/// Sets a member's handle. Throws core::Conflict when another member holds it.
v1::Member SetHandle(pqxx::work& tx, const std::string& room_id, const std::string& user_id, const std::string& handle);

/// Moves the member's read marker to max(current, sequence); returns (before, after).
std::pair<std::int64_t, std::int64_t> MoveReadMarker(pqxx::work& tx, const std::string& room_id,
                                                     const std::string& user_id, std::int64_t sequence);

/// Others' messages after the member's read marker that are not deleted.
std::int64_t UnreadCount(pqxx::work& tx, const std::string& room_id, const std::string& user_id);

/// NOTIFYs an ephemeral typing indicator.
void NotifyTyping(pqxx::work& tx, const std::string& room_id, const std::string& user_id);

}  // namespace marketplace::workroom::storage
