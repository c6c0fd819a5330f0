#pragma once
// SQL for the inbox: writing a user's next notification (with its NOTIFY for live feeds), reading
// pages of it, a feed's catch-up after a sequence, and marking one read.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/notice.hpp"
#include "marketplace/core/clock.hpp"

namespace marketplace::notifications::storage {

/// The channel a write NOTIFYs with the user id as payload; live feeds LISTEN on it.
inline constexpr char kFeedChannel[] = "notifications_feed";

struct NotificationRecord {
    std::string id;
    std::string user_id;
    std::int64_t sequence = 0;
    std::string kind;
    std::string title;
    std::string contract_id;
    std::string milestone_id;
    std::string source_event_id;
    core::Clock::TimePoint created_at;
    std::optional<core::Clock::TimePoint> read_at;
};

/// Writes `notice` for `user_id` as the user's next sequence and NOTIFYs kFeedChannel, in `tx`.
/// Returns nullopt, writing nothing, when this event already told this user this kind of thing.
std::optional<NotificationRecord> InsertNotification(pqxx::work& tx, const std::string& user_id, const Notice& notice,
                                                     const std::string& source_event_id, core::Clock::TimePoint now);

/// A page, newest first: sequence below `before_sequence` (0: no bound), at most `limit`.
std::vector<NotificationRecord> ListNewestFirst(pqxx::work& tx, const std::string& user_id,
                                                std::int64_t before_sequence, bool unread_only, int limit);
std::int64_t UnreadCount(pqxx::work& tx, const std::string& user_id);

/// Oldest first: sequence above `after_sequence`, at most `limit`.
std::vector<NotificationRecord> After(pqxx::work& tx, const std::string& user_id, std::int64_t after_sequence,
                                      int limit);
/// The user's last sequence, 0 when they have none.
std::int64_t LastSequence(pqxx::work& tx, const std::string& user_id);

/// Sets read_at to `now` unless already set (the first time stays); nullopt when `user_id` has no
/// notification `notification_id`.
std::optional<NotificationRecord> MarkRead(pqxx::work& tx, const std::string& user_id,
                                           const std::string& notification_id, core::Clock::TimePoint now);

}  // namespace marketplace::notifications::storage
