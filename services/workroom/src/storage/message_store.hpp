#pragma once
// SQL for a room's messages: posting at a sequence, edits with their earlier versions, tombstones,
// pages both ways, threads and full-text search.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"
#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::workroom::storage {

struct NewMessage {
    std::string id;
    std::string room_id;
    std::int64_t sequence = 0;
    std::string author_id;
    std::string text;
    std::string parent_id;       // "" for none
    std::string thread_root_id;  // the parent's root, or the message itself
    std::vector<std::string> mentioned_user_ids;
};

/// A new message as InsertPostedMessage stores it and a read returns it (written at `now`, to the
/// microsecond; no edits, no replies yet).
v1::Message NewMessageOf(const NewMessage& m, core::Clock::TimePoint now);

/// Stores a new message (`message`, from NewMessageOf) with its room event `event` (message_posted)
/// and the event's NOTIFY, in one statement.
void InsertPostedMessage(pqxx::work& tx, const NewMessage& m, const v1::Message& message,
                         const v1::WorkroomEvent& event);

/// The message `message_id` of `room_id`; nullopt when the room holds no such message. `for_update`
/// locks its row.
std::optional<v1::Message> FindMessage(pqxx::work& tx, const std::string& room_id, const std::string& message_id,
                                       bool for_update = false);

/// Keeps the current text as a version and replaces it.
v1::Message ReplaceText(pqxx::work& tx, const std::string& message_id, const std::string& text,
                        const std::vector<std::string>& mentioned_user_ids, core::Clock::TimePoint now);

/// Erases the text and the versions; the row stays as a tombstone.
v1::Message Tombstone(pqxx::work& tx, const std::string& message_id, core::Clock::TimePoint now);

/// Oldest first. With before > 0: the newest `limit` below it; with after > 0: the oldest `limit`
/// above it; with neither: the newest `limit`. Fetches one more to tell whether there are more.
struct Page {
    std::vector<v1::Message> messages;
    bool has_more = false;
};
Page ListMessages(pqxx::work& tx, const std::string& room_id, const std::string& thread_root_id, std::int64_t before,
                  std::int64_t after, int limit);

/// The earlier texts, oldest first.
std::vector<v1::MessageVersion> Versions(pqxx::work& tx, const std::string& message_id);

/// Messages matching the web-search style `query` that are not deleted, best first.
std::vector<v1::Message> Search(pqxx::work& tx, const std::string& room_id, const std::string& query, int limit);

}  // namespace marketplace::workroom::storage
