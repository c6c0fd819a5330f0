#pragma once
// SQL for a room's calendar.
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"
#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::workroom::storage {

/// "standup", "deadline", "meeting", "milestone_due"; "" for unspecified.
std::string KindName(v1::CalendarEventKind kind);

void InsertCalendarEvent(pqxx::work& tx, const v1::CalendarEvent& e, core::Clock::TimePoint now);
/// The milestone's due date in its room's calendar: inserted, or moved to `local_start` (UTC).
void UpsertMilestoneDue(pqxx::work& tx, const std::string& room_id, const std::string& milestone_id,
                        const std::string& title, const std::string& local_start_utc, core::Clock::TimePoint now);
/// In order of local start (then id).
std::vector<v1::CalendarEvent> ListCalendarEvents(pqxx::work& tx, const std::string& room_id);

}  // namespace marketplace::workroom::storage
