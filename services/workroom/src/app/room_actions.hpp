#pragma once
// The room's use cases, each in the caller's transaction: check membership, validate, take the
// room's next sequence (locking the room), write, store the event the live streams send, and
// publish what other services need (MemberMentioned for the notifications service). Every one
// throws core::NotFound("room not found") to a caller who is not a member.
#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/service/runtime.hpp"
#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::workroom {

class RoomActions final {
public:
    explicit RoomActions(service::Runtime& runtime) : runtime_(runtime) {}

    /// The room, or NOT_FOUND for a non-member.
    v1::Room RequireRoom(pqxx::work& tx, const std::string& room_id, const std::string& user_id) const;

    v1::Message Post(pqxx::work& tx, const std::string& user_id, const v1::PostMessageRequest& request) const;
    v1::Message Edit(pqxx::work& tx, const std::string& user_id, const v1::EditMessageRequest& request) const;
    v1::Message Delete(pqxx::work& tx, const std::string& user_id, const v1::DeleteMessageRequest& request) const;
    v1::MarkReadResponse MarkRead(pqxx::work& tx, const std::string& user_id, const v1::MarkReadRequest& request) const;

    v1::Task CreateTask(pqxx::work& tx, const std::string& user_id, const v1::CreateTaskRequest& request) const;
    v1::Task UpdateTask(pqxx::work& tx, const std::string& user_id, const v1::UpdateTaskRequest& request) const;
    v1::Task MoveTask(pqxx::work& tx, const std::string& user_id, const v1::MoveTaskRequest& request) const;

    /// Creates the room of a contract (from ContractCreated) with its milestones; false when it
    /// already exists.
    bool CreateRoom(pqxx::work& tx, const std::string& contract_id, const std::string& proposal_id,
                    const std::string& client_id, const std::string& freelancer_id,
                    const std::vector<std::string>& milestone_ids) const;

    /// A clan contract's plan was locked (clans' PayoutSplitLocked): kept when its version is the
    /// highest seen, and the room's working party follows it. False when an equal or higher version
    /// was already kept.
    bool KeepClanPlan(pqxx::work& tx, const std::string& proposal_id, const std::string& clan_id, int version,
                      const std::vector<std::string>& member_ids) const;

    /// A clan's member left or was removed (`left`), or joined (again): the rooms of the clan's
    /// contracts follow.
    void ClanMembershipChanged(pqxx::work& tx, const std::string& clan_id, const std::string& user_id, bool left) const;

private:
    /// Makes the working party of the room of `proposal_id` the members its clan's plan names who
    /// are still in the clan, storing members_changed when it changed. Nothing before both the room
    /// and the plan are known.
    void SyncClanRoom(pqxx::work& tx, const std::string& proposal_id) const;
    /// Stores an event with the room's next sequence; returns the sequence.
    std::int64_t Store(pqxx::work& tx, const std::string& room_id, v1::WorkroomEvent event) const;
    /// Checks a task's title, assignee and milestone (InvalidArgument naming the field).
    void CheckTaskFields(pqxx::work& tx, const std::string& room_id, const std::string& title,
                         const std::string& assignee_id, const std::string& milestone_id) const;
    /// Stores the task's room event and publishes TaskUpdated.
    v1::Task TaskChanged(pqxx::work& tx, const std::string& room_id, const std::string& task_id,
                         const std::string& actor_id) const;
    void PublishMentions(pqxx::work& tx, const v1::Message& message,
                         const google::protobuf::RepeatedPtrField<std::string>& before) const;

    service::Runtime& runtime_;
};

}  // namespace marketplace::workroom
