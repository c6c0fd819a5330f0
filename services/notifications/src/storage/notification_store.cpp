#include "storage/notification_store.hpp"

#include <pqxx/pqxx>

#include "marketplace/core/ids.hpp"
#include "marketplace/db/statements.hpp"

namespace marketplace::notifications::storage {
namespace {

constexpr char kColumns[] =
    "id::text, user_id, sequence, kind, title, contract_id, milestone_id, source_event_id, "
    "(extract(epoch FROM created_at) * 1000000)::bigint, (extract(epoch FROM read_at) * 1000000)::bigint";

core::Clock::TimePoint FromMicros(std::int64_t micros) {
    return core::Clock::TimePoint(
        std::chrono::duration_cast<core::Clock::TimePoint::duration>(std::chrono::microseconds(micros)));
}

NotificationRecord RecordOf(const pqxx::row& row) {
    NotificationRecord r;
    r.id = row[0].c_str();
    r.user_id = row[1].c_str();
    r.sequence = row[2].as<std::int64_t>();
    r.kind = row[3].c_str();
    r.title = row[4].c_str();
    r.contract_id = row[5].c_str();
    r.milestone_id = row[6].c_str();
    r.source_event_id = row[7].c_str();
    r.created_at = FromMicros(row[8].as<std::int64_t>());
    if (!row[9].is_null()) r.read_at = FromMicros(row[9].as<std::int64_t>());
    return r;
}

std::vector<NotificationRecord> RecordsOf(const pqxx::result& rows) {
    std::vector<NotificationRecord> out;
    out.reserve(rows.size());
    for (const auto& row : rows) out.push_back(RecordOf(row));
    return out;
}

}  // namespace

std::optional<NotificationRecord> InsertNotification(pqxx::work& tx, const std::string& user_id, const Notice& notice,
                                                     const std::string& source_event_id, core::Clock::TimePoint now) {
    const auto duplicate =
        db::Exec(tx, "SELECT 1 FROM notifications WHERE user_id = $1 AND source_event_id = $2 AND kind = $3", user_id,
                 source_event_id, notice.kind);
    if (!duplicate.empty()) return std::nullopt;
    // The user's row stays locked until commit: the user's notifications commit in sequence order.
    const auto sequence =
        db::Exec1(tx,
                  "INSERT INTO user_sequences (user_id, last_sequence) VALUES ($1, 1) "
                  "ON CONFLICT (user_id) DO UPDATE SET last_sequence = user_sequences.last_sequence + 1 "
                  "RETURNING last_sequence",
                  user_id)[0]
            .as<std::int64_t>();
    const auto row = db::Exec1(
        tx,
        std::string("INSERT INTO notifications (id, user_id, sequence, kind, title, contract_id, milestone_id, "
                    "source_event_id, created_at) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz) "
                    "RETURNING ") +
            kColumns,
        core::NewUuidV7(), user_id, sequence, notice.kind, notice.title, notice.contract_id, notice.milestone_id,
        source_event_id, core::FormatRfc3339(now));
    // Delivered at commit, once per user and transaction (PostgreSQL folds identical notifications).
    db::Exec(tx, "SELECT pg_notify($1, $2)", std::string(kFeedChannel), user_id);
    return RecordOf(row);
}

std::vector<NotificationRecord> ListNewestFirst(pqxx::work& tx, const std::string& user_id,
                                                std::int64_t before_sequence, bool unread_only, int limit) {
    return RecordsOf(
        db::Exec(tx,
                 std::string("SELECT ") + kColumns +
                     " FROM notifications WHERE user_id = $1 AND ($2::bigint = 0 OR sequence < $2::bigint) "
                     "AND (NOT $3::boolean OR read_at IS NULL) ORDER BY sequence DESC LIMIT $4::int",
                 user_id, before_sequence, unread_only, limit));
}

std::int64_t UnreadCount(pqxx::work& tx, const std::string& user_id) {
    return db::Exec1(tx, "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL", user_id)[0]
        .as<std::int64_t>();
}

std::vector<NotificationRecord> After(pqxx::work& tx, const std::string& user_id, std::int64_t after_sequence,
                                      int limit) {
    return RecordsOf(db::Exec(tx,
                              std::string("SELECT ") + kColumns +
                                  " FROM notifications WHERE user_id = $1 AND sequence > $2::bigint "
                                  "ORDER BY sequence LIMIT $3::int",
                              user_id, after_sequence, limit));
}

std::int64_t LastSequence(pqxx::work& tx, const std::string& user_id) {
    const auto rows = db::Exec(tx, "SELECT last_sequence FROM user_sequences WHERE user_id = $1", user_id);
    return rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
}

std::optional<NotificationRecord> MarkRead(pqxx::work& tx, const std::string& user_id,
                                           const std::string& notification_id, core::Clock::TimePoint now) {
    const auto rows = db::Exec(tx,
                               std::string("UPDATE notifications SET read_at = coalesce(read_at, "
                                           "$3::timestamptz) WHERE id = $1::uuid AND user_id = $2 RETURNING ") +
                                   kColumns,
                               notification_id, user_id, core::FormatRfc3339(now));
    if (rows.empty()) return std::nullopt;
    return RecordOf(rows[0]);
}

}  // namespace marketplace::notifications::storage
