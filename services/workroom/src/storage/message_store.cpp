#include "storage/message_store.hpp"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <chrono>

#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "storage/room_store.hpp"

namespace marketplace::workroom::storage {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kColumns[] =
    "g.id::text, g.room_id::text, g.sequence, g.author_id, g.body, coalesce(g.parent_id::text, ''), "
    "g.thread_root_id::text, array_to_string(g.mentioned_user_ids, ','), g.edit_count, "
    "(extract(epoch FROM g.created_at) * 1000000)::bigint, (extract(epoch FROM g.edited_at) * 1000000)::bigint, "
    "(extract(epoch FROM g.deleted_at) * 1000000)::bigint, "
    "(SELECT count(*) FROM messages r WHERE r.thread_root_id = g.id AND r.id <> g.id)::int";

v1::Message MessageOf(const pqxx::row& row) {
    v1::Message m;
    m.set_message_id(row[0].c_str());
    m.set_room_id(row[1].c_str());
    m.set_sequence(row[2].as<std::int64_t>());
    m.set_author_id(row[3].c_str());
    m.set_text(row[4].c_str());
    m.set_parent_message_id(row[5].c_str());
    m.set_thread_root_id(row[6].c_str());
    std::string mentioned = row[7].c_str();
    for (std::size_t start = 0; !mentioned.empty() && start <= mentioned.size();) {
        const auto comma = mentioned.find(',', start);
        m.add_mentioned_user_ids(mentioned.substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    m.set_edit_count(row[8].as<int>());
    *m.mutable_created_at() = TimeUtil::MicrosecondsToTimestamp(row[9].as<std::int64_t>());
    if (!row[10].is_null()) *m.mutable_edited_at() = TimeUtil::MicrosecondsToTimestamp(row[10].as<std::int64_t>());
    if (!row[11].is_null()) {
        m.set_deleted(true);
        *m.mutable_deleted_at() = TimeUtil::MicrosecondsToTimestamp(row[11].as<std::int64_t>());
    }
    m.set_reply_count(row[12].as<int>());
    return m;
}

std::string ArrayLiteral(const std::vector<std::string>& ids) {
    // User ids are token subjects (no quotes, commas or braces); quoted anyway.
    std::string out = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) out += ',';
        out += '"' + ids[i] + '"';
    }
    return out + "}";
}

}  // namespace

v1::Message NewMessageOf(const NewMessage& m, core::Clock::TimePoint now) {
    v1::Message out;
    out.set_message_id(m.id);
    out.set_room_id(m.room_id);
    out.set_sequence(m.sequence);
    out.set_author_id(m.author_id);
    out.set_text(m.text);
    out.set_parent_message_id(m.parent_id);
    out.set_thread_root_id(m.thread_root_id);
    for (const auto& user : m.mentioned_user_ids) out.add_mentioned_user_ids(user);
    out.set_edit_count(0);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    *out.mutable_created_at() = TimeUtil::MicrosecondsToTimestamp(us);
    out.set_reply_count(0);
    return out;
}

void InsertPostedMessage(pqxx::work& tx, const NewMessage& m, const v1::Message& message,
                         const v1::WorkroomEvent& event) {
    const std::string payload = event.SerializeAsString();
    // The message, its room event and the NOTIFY in one round trip; the row's created_at is the
    // message's, to the microsecond, so a later read returns what the event carries.
    db::Exec(tx,
             "WITH posted AS (INSERT INTO messages (id, room_id, sequence, author_id, body, parent_id, "
             "thread_root_id, mentioned_user_ids, created_at) VALUES ($1::uuid, $2::uuid, $3, $4, $5, "
             "nullif($6, '')::uuid, $7::uuid, $8::text[], $9::timestamptz) RETURNING 1), "
             "appended AS (INSERT INTO room_events (room_id, sequence, payload, occurred_at) SELECT $2::uuid, $3, $10, "
             "to_timestamp($11::double precision / 1000000) FROM posted RETURNING 1) "
             "SELECT pg_notify($12, $13) FROM appended",
             m.id, m.room_id, m.sequence, m.author_id, m.text, m.parent_id, m.thread_root_id,
             ArrayLiteral(m.mentioned_user_ids), TimeUtil::ToString(message.created_at()), pqxx::binarystring(payload),
             TimeUtil::TimestampToMicroseconds(event.occurred_at()), std::string(kFeedChannel),
             EventNotice(event, payload));
}

std::optional<v1::Message> FindMessage(pqxx::work& tx, const std::string& room_id, const std::string& message_id,
                                       bool for_update) {
    const auto rows =
        db::Exec(tx,
                 std::string("SELECT ") + kColumns + " FROM messages g WHERE g.room_id = $1::uuid AND g.id = $2::uuid" +
                     (for_update ? " FOR UPDATE OF g" : ""),
                 room_id, message_id);
    if (rows.empty()) return std::nullopt;
    return MessageOf(rows[0]);
}

v1::Message ReplaceText(pqxx::work& tx, const std::string& message_id, const std::string& text,
                        const std::vector<std::string>& mentioned_user_ids, core::Clock::TimePoint now) {
    db::Exec(tx,
             "INSERT INTO message_versions (message_id, version, body, written_at) SELECT id, edit_count + 1, body, "
             "coalesce(edited_at, created_at) FROM messages WHERE id = $1::uuid",
             message_id);
    const auto row =
        db::Exec1(tx,
                  "UPDATE messages SET body = $2, mentioned_user_ids = $3::text[], edit_count = edit_count + 1, "
                  "edited_at = $4::timestamptz WHERE id = $1::uuid RETURNING room_id::text",
                  message_id, text, ArrayLiteral(mentioned_user_ids), core::FormatRfc3339(now));
    return *FindMessage(tx, row[0].c_str(), message_id);
}

v1::Message Tombstone(pqxx::work& tx, const std::string& message_id, core::Clock::TimePoint now) {
    db::Exec(tx, "DELETE FROM message_versions WHERE message_id = $1::uuid", message_id);
    const auto row = db::Exec1(
        tx,
        "UPDATE messages SET body = '', mentioned_user_ids = '{}', deleted_at = $2::timestamptz WHERE id = $1::uuid "
        "RETURNING room_id::text",
        message_id, core::FormatRfc3339(now));
    return *FindMessage(tx, row[0].c_str(), message_id);
}

Page ListMessages(pqxx::work& tx, const std::string& room_id, const std::string& thread_root_id, std::int64_t before,
                  std::int64_t after, int limit) {
    const bool ascending = after > 0;
    const std::string sql = std::string("SELECT ") + kColumns +
                            " FROM messages g WHERE g.room_id = $1::uuid "
                            "AND ($2 = '' OR g.thread_root_id = nullif($2, '')::uuid) "
                            "AND ($3::bigint = 0 OR g.sequence < $3::bigint) AND g.sequence > $4::bigint "
                            "ORDER BY g.sequence " +
                            (ascending ? "ASC" : "DESC") + " LIMIT $5::int";
    Page page;
    for (const auto& row : db::Exec(tx, sql, room_id, thread_root_id, before, after, limit + 1)) {
        page.messages.push_back(MessageOf(row));
    }
    if (static_cast<int>(page.messages.size()) > limit) {
        page.has_more = true;
        page.messages.pop_back();
    }
    if (!ascending) std::reverse(page.messages.begin(), page.messages.end());
    return page;
}

std::vector<v1::MessageVersion> Versions(pqxx::work& tx, const std::string& message_id) {
    std::vector<v1::MessageVersion> out;
    for (const auto& row : db::Exec(tx,
                                    "SELECT version, body, (extract(epoch FROM written_at) * 1000000)::bigint "
                                    "FROM message_versions WHERE message_id = $1::uuid ORDER BY version",
                                    message_id)) {
        v1::MessageVersion v;
        v.set_version(row[0].as<int>());
        v.set_text(row[1].c_str());
        *v.mutable_written_at() = TimeUtil::MicrosecondsToTimestamp(row[2].as<std::int64_t>());
        out.push_back(std::move(v));
    }
    return out;
}

std::vector<v1::Message> Search(pqxx::work& tx, const std::string& room_id, const std::string& query, int limit) {
    std::vector<v1::Message> out;
    for (const auto& row :
         db::Exec(tx,
                  std::string("SELECT ") + kColumns +
                      " FROM messages g, websearch_to_tsquery('simple', $2) q WHERE g.room_id = $1::uuid "
                      "AND g.deleted_at IS NULL AND g.search @@ q "
                      "ORDER BY ts_rank(g.search, q) DESC, g.sequence DESC LIMIT $3::int",
                  room_id, query, limit)) {
        out.push_back(MessageOf(row));
    }
    return out;
}

}  // namespace marketplace::workroom::storage
