#include "app/room_actions.hpp"

#include <algorithm>
#include <optional>

#include "domain/message_rules.hpp"
#include "domain/rank.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/wire/values.hpp"
#include "marketplace/workroom/v1/events.pb.h"
#include "storage/message_store.hpp"
#include "storage/room_store.hpp"
#include "storage/task_store.hpp"

namespace marketplace::workroom {

v1::Room RoomActions::RequireRoom(pqxx::work& tx, const std::string& room_id, const std::string& user_id) const {
    core::RequireUuid(room_id, "room_id");
    auto room = storage::RoomForMember(tx, room_id, user_id);
    if (!room) throw core::NotFound("room not found");
    return *room;
}

std::int64_t RoomActions::Store(pqxx::work& tx, const std::string& room_id, v1::WorkroomEvent event) const {
    const auto sequence = storage::NextSequence(tx, room_id);
    event.set_room_id(room_id);
    event.set_sequence(sequence);
    wire::ToProto(runtime_.clock()->Now(), event.mutable_occurred_at());
    storage::AppendEvent(tx, event);
    return sequence;
}

void RoomActions::PublishMentions(pqxx::work& tx, const v1::Message& message,
                                  const google::protobuf::RepeatedPtrField<std::string>& before) const {
    std::optional<std::string> contract_id;  // read once, when someone is newly mentioned
    for (const auto& user : message.mentioned_user_ids()) {
        // An edit notifies only the members it newly mentions.
        if (std::find(before.begin(), before.end(), user) != before.end()) continue;
        if (!contract_id) contract_id = storage::ContractOf(tx, message.room_id());
        v1::MemberMentioned e;
        e.set_room_id(message.room_id());
        e.set_contract_id(*contract_id);
        e.set_message_id(message.message_id());
        e.set_author_id(message.author_id());
        e.set_mentioned_user_id(user);
        e.set_excerpt(Excerpt(message.text(), kExcerptChars));
        runtime_.Publish(tx, message.room_id(), e);
    }
}

v1::Message RoomActions::Post(pqxx::work& tx, const std::string& user_id, const v1::PostMessageRequest& request) const {
    // The room's members and their handles, read once with the room's next sequence: whether the
    // caller is one (else the room is NOT_FOUND to them, as RequireRoom says, and nothing is taken),
    // and whom the text mentions. A refusal below rolls the sequence back with the transaction.
    core::RequireUuid(request.room_id(), "room_id");
    auto taken = storage::NextSequenceAsMember(tx, request.room_id(), user_id);
    if (!taken) throw core::NotFound("room not found");
    const auto& members = taken->members;
    RequireMessageText(request.text(), "text");
    storage::NewMessage m;
    m.id = core::NewUuidV7();
    m.room_id = request.room_id();
    m.author_id = user_id;
    m.text = request.text();
    m.thread_root_id = m.id;
    if (!request.parent_message_id().empty()) {
        core::RequireUuid(request.parent_message_id(), "parent_message_id");
        const auto parent = storage::FindMessage(tx, request.room_id(), request.parent_message_id());
        if (!parent) throw core::InvalidArgument("parent_message_id", "must name a message of this room");
        m.parent_id = parent->message_id();
        m.thread_root_id = parent->thread_root_id();
    }
    m.mentioned_user_ids = MentionedUsers(m.text, members, user_id);
    v1::WorkroomEvent event;
    m.sequence = taken->sequence;
    const auto now = runtime_.clock()->Now();
    const auto message = storage::NewMessageOf(m, now);
    event.set_room_id(m.room_id);
    event.set_sequence(m.sequence);
    wire::ToProto(now, event.mutable_occurred_at());
    *event.mutable_message_posted() = message;
    storage::InsertPostedMessage(tx, m, message, event);
    PublishMentions(tx, message, {});
    return message;
}

v1::Message RoomActions::Edit(pqxx::work& tx, const std::string& user_id, const v1::EditMessageRequest& request) const {
    RequireRoom(tx, request.room_id(), user_id);
    core::RequireUuid(request.message_id(), "message_id");
    const auto current = storage::FindMessage(tx, request.room_id(), request.message_id(), /*for_update=*/true);
    if (!current) throw core::NotFound("message not found");
    if (current->author_id() != user_id) throw core::PermissionDenied("only its author may edit a message");
    RequireMessageText(request.text(), "text");
    if (current->deleted()) throw core::FailedPrecondition("the message is deleted");
    if (current->text() == request.text()) return *current;  // nothing changes: no version, no event
    const auto mentioned = MentionedUsers(request.text(), storage::Handles(tx, request.room_id()), user_id);
    const auto message =
        storage::ReplaceText(tx, request.message_id(), request.text(), mentioned, runtime_.clock()->Now());
    v1::WorkroomEvent event;
    *event.mutable_message_edited() = message;
    Store(tx, request.room_id(), event);
    PublishMentions(tx, message, current->mentioned_user_ids());
    return message;
}

v1::Message RoomActions::Delete(pqxx::work& tx, const std::string& user_id,
                                const v1::DeleteMessageRequest& request) const {
    RequireRoom(tx, request.room_id(), user_id);
    core::RequireUuid(request.message_id(), "message_id");
    const auto current = storage::FindMessage(tx, request.room_id(), request.message_id(), /*for_update=*/true);
    if (!current) throw core::NotFound("message not found");
    if (current->author_id() != user_id) throw core::PermissionDenied("only its author may delete a message");
    if (current->deleted()) return *current;  // deleting again changes nothing
    const auto message = storage::Tombstone(tx, request.message_id(), runtime_.clock()->Now());
    v1::WorkroomEvent event;
    *event.mutable_message_deleted() = message;
    Store(tx, request.room_id(), event);
    return message;
}

v1::MarkReadResponse RoomActions::MarkRead(pqxx::work& tx, const std::string& user_id,
                                           const v1::MarkReadRequest& request) const {
    const auto room = RequireRoom(tx, request.room_id(), user_id);
    if (request.sequence() < 0 || request.sequence() > room.last_sequence()) {
        throw core::InvalidArgument("sequence", "must be between 0 and the room's last sequence (" +
                                                    std::to_string(room.last_sequence()) + ")");
    }
    const auto target = request.sequence() == 0 ? room.last_sequence() : request.sequence();
    const auto [before, after] = storage::MoveReadMarker(tx, request.room_id(), user_id, target);
    if (after != before) {
        v1::WorkroomEvent event;
        event.mutable_read_receipt()->set_user_id(user_id);
        event.mutable_read_receipt()->set_last_read_sequence(after);
        Store(tx, request.room_id(), event);
    }
    v1::MarkReadResponse out;
    out.set_last_read_sequence(after);
    out.set_unread_count(storage::UnreadCount(tx, request.room_id(), user_id));
    return out;
}

bool RoomActions::CreateRoom(pqxx::work& tx, const std::string& contract_id, const std::string& proposal_id,
                             const std::string& client_id, const std::string& freelancer_id,
                             const std::vector<std::string>& milestone_ids) const {
    const auto room_id = core::NewUuidV7();
    const auto room =
        storage::CreateRoom(tx, room_id, contract_id, proposal_id, client_id, freelancer_id, runtime_.clock()->Now());
    if (!room) return false;
    storage::AddMilestones(tx, room_id, milestone_ids);
    v1::RoomCreated e;
    e.set_room_id(room_id);
    e.set_contract_id(contract_id);
    e.add_member_ids(client_id);
    e.add_member_ids(freelancer_id);
    runtime_.Publish(tx, room_id, e);
    // A clan's plan may have arrived before its contract.
    if (!proposal_id.empty()) SyncClanRoom(tx, proposal_id);
    return true;
}

bool RoomActions::KeepClanPlan(pqxx::work& tx, const std::string& proposal_id, const std::string& clan_id, int version,
                               const std::vector<std::string>& member_ids) const {
    if (!storage::KeepClanPlan(tx, proposal_id, {clan_id, version, member_ids})) return false;
    SyncClanRoom(tx, proposal_id);
    return true;
}

void RoomActions::ClanMembershipChanged(pqxx::work& tx, const std::string& clan_id, const std::string& user_id,
                                        bool left) const {
    storage::SetClanDeparture(tx, clan_id, user_id, left);
    for (const auto& proposal_id : storage::ClanProposals(tx, clan_id)) SyncClanRoom(tx, proposal_id);
}

void RoomActions::SyncClanRoom(pqxx::work& tx, const std::string& proposal_id) const {
    const auto room_id = storage::RoomOfProposal(tx, proposal_id);
    const auto plan = storage::ClanPlanOf(tx, proposal_id);
    if (!room_id || !plan) return;
    storage::LockRoom(tx, *room_id);
    const auto departed = storage::DepartedOf(tx, plan->clan_id, plan->member_ids);
    std::vector<std::string> party;
    for (const auto& user : plan->member_ids) {
        if (std::find(departed.begin(), departed.end(), user) == departed.end()) party.push_back(user);
    }
    const auto change = storage::SetWorkingParty(tx, *room_id, party);
    if (change.added.empty() && change.removed.empty()) return;
    v1::WorkroomEvent event;
    *event.mutable_members_changed() = *storage::RoomById(tx, *room_id);
    const auto sequence = Store(tx, *room_id, event);
    core::log::Info("clan room members changed", {{"room_id", *room_id},
                                                  {"added", static_cast<unsigned long>(change.added.size())},
                                                  {"removed", static_cast<unsigned long>(change.removed.size())},
                                                  {"sequence", static_cast<long>(sequence)}});
}

void RoomActions::CheckTaskFields(pqxx::work& tx, const std::string& room_id, const std::string& title,
                                  const std::string& assignee_id, const std::string& milestone_id) const {
    const auto chars = Utf8Length(title);
    if (chars == 0 || chars > kMaxTaskTitleChars || title.find_first_not_of(" \t\r\n") == std::string::npos) {
        throw core::InvalidArgument("title", "must be 1 to " + std::to_string(kMaxTaskTitleChars) + " characters");
    }
    if (!assignee_id.empty()) {
        const auto members = storage::Handles(tx, room_id);
        const bool member = std::any_of(members.begin(), members.end(),
                                        [&](const MemberHandle& m) { return m.user_id == assignee_id; });
        if (!member) throw core::InvalidArgument("assignee_id", "must be a member of the room");
    }
    if (!milestone_id.empty() && !storage::HasMilestone(tx, room_id, milestone_id)) {
        throw core::InvalidArgument("milestone_id", "must be a milestone of the room's contract");
    }
}

v1::Task RoomActions::TaskChanged(pqxx::work& tx, const std::string& room_id, const std::string& task_id,
                                  const std::string& actor_id) const {
    const auto task = *storage::FindTask(tx, room_id, task_id);
    v1::WorkroomEvent event;
    *event.mutable_task_updated() = task;
    Store(tx, room_id, event);
    v1::TaskUpdated e;
    e.set_contract_id(storage::ContractOf(tx, room_id));
    *e.mutable_task() = task;
    e.set_actor_id(actor_id);
    runtime_.Publish(tx, room_id, e);
    return task;
}

v1::Task RoomActions::CreateTask(pqxx::work& tx, const std::string& user_id,
                                 const v1::CreateTaskRequest& request) const {
    RequireRoom(tx, request.room_id(), user_id);
    CheckTaskFields(tx, request.room_id(), request.title(), request.assignee_id(), request.milestone_id());
    const auto status = request.status() == v1::TASK_STATUS_UNSPECIFIED ? v1::TASK_STATUS_TODO : request.status();
    if (storage::StatusName(status).empty()) throw core::InvalidArgument("status", "must be todo, doing or done");
    storage::LockRoom(tx, request.room_id());  // its board changes one at a time
    v1::Task t;
    t.set_task_id(core::NewUuidV7());
    t.set_room_id(request.room_id());
    t.set_title(request.title());
    t.set_status(status);
    t.set_rank(RankBetween("", storage::NextRank(tx, request.room_id(), status, "", "")));
    t.set_assignee_id(request.assignee_id());
    t.set_milestone_id(request.milestone_id());
    t.set_created_by(user_id);
    storage::InsertTask(tx, t, runtime_.clock()->Now());
    return TaskChanged(tx, request.room_id(), t.task_id(), user_id);
}

v1::Task RoomActions::UpdateTask(pqxx::work& tx, const std::string& user_id,
                                 const v1::UpdateTaskRequest& request) const {
    RequireRoom(tx, request.room_id(), user_id);
    core::RequireUuid(request.task_id(), "task_id");
    if (!storage::FindTask(tx, request.room_id(), request.task_id())) throw core::NotFound("task not found");
    CheckTaskFields(tx, request.room_id(), request.title(), request.assignee_id(), request.milestone_id());
    storage::UpdateTaskFields(tx, request.task_id(), request.title(), request.assignee_id(), request.milestone_id(),
                              runtime_.clock()->Now());
    return TaskChanged(tx, request.room_id(), request.task_id(), user_id);
}

v1::Task RoomActions::MoveTask(pqxx::work& tx, const std::string& user_id, const v1::MoveTaskRequest& request) const {
    RequireRoom(tx, request.room_id(), user_id);
    core::RequireUuid(request.task_id(), "task_id");
    if (storage::StatusName(request.status()).empty()) {
        throw core::InvalidArgument("status", "must be todo, doing or done");
    }
    if (!request.after_task_id().empty()) {
        core::RequireUuid(request.after_task_id(), "after_task_id");
        if (request.after_task_id() == request.task_id()) {
            throw core::InvalidArgument("after_task_id", "must name another task");
        }
    }
    // The room's lock: moves on one board are applied one after another, each between the
    // neighbours as they are at that moment.
    storage::LockRoom(tx, request.room_id());
    if (!storage::FindTask(tx, request.room_id(), request.task_id())) throw core::NotFound("task not found");
    std::string low;
    if (!request.after_task_id().empty()) {
        const auto after = storage::FindTask(tx, request.room_id(), request.after_task_id());
        if (!after || after->status() != request.status()) {
            throw core::InvalidArgument("after_task_id", "must name a task of the target column");
        }
        low = after->rank();
    }
    const auto high = storage::NextRank(tx, request.room_id(), request.status(), low, request.task_id());
    storage::SetPlace(tx, request.task_id(), request.status(), RankBetween(low, high), runtime_.clock()->Now());
    return TaskChanged(tx, request.room_id(), request.task_id(), user_id);
}

}  // namespace marketplace::workroom
