#include "storage/calendar_store.hpp"

#include <pqxx/pqxx>

#include "marketplace/core/ids.hpp"
#include "marketplace/db/statements.hpp"

namespace marketplace::workroom::storage {
namespace {

v1::CalendarEventKind KindOf(const std::string& name) {
    if (name == "standup") return v1::CALENDAR_EVENT_KIND_STANDUP;
    if (name == "deadline") return v1::CALENDAR_EVENT_KIND_DEADLINE;
    if (name == "meeting") return v1::CALENDAR_EVENT_KIND_MEETING;
    return v1::CALENDAR_EVENT_KIND_MILESTONE_DUE;
}

}  // namespace

std::string KindName(v1::CalendarEventKind kind) {
    switch (kind) {
        case v1::CALENDAR_EVENT_KIND_STANDUP:
            return "standup";
        case v1::CALENDAR_EVENT_KIND_DEADLINE:
            return "deadline";
        case v1::CALENDAR_EVENT_KIND_MEETING:
            return "meeting";
        case v1::CALENDAR_EVENT_KIND_MILESTONE_DUE:
            return "milestone_due";
        default:
            return "";
    }
}

void InsertCalendarEvent(pqxx::work& tx, const v1::CalendarEvent& e, core::Clock::TimePoint now) {
    db::Exec(
        tx,
        "INSERT INTO calendar_events (id, room_id, kind, title, local_start, time_zone, duration_minutes, created_by, "
        "created_at) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9::timestamptz)",
        e.event_id(), e.room_id(), KindName(e.kind()), e.title(), e.local_start(), e.time_zone(), e.duration_minutes(),
        e.created_by(), core::FormatRfc3339(now));
}

void UpsertMilestoneDue(pqxx::work& tx, const std::string& room_id, const std::string& milestone_id,
                        const std::string& title, const std::string& local_start_utc, core::Clock::TimePoint now) {
    db::Exec(
        tx,
        "INSERT INTO calendar_events (id, room_id, kind, title, local_start, time_zone, milestone_id, created_by, "
        "created_at) VALUES ($1::uuid, $2::uuid, 'milestone_due', $3, $4, 'UTC', $5, 'contracts', $6::timestamptz) "
        "ON CONFLICT (room_id, milestone_id) DO UPDATE SET local_start = EXCLUDED.local_start, title = EXCLUDED.title",
        core::NewUuidV7(), room_id, title, local_start_utc, milestone_id, core::FormatRfc3339(now));
}

std::vector<v1::CalendarEvent> ListCalendarEvents(pqxx::work& tx, const std::string& room_id) {
    std::vector<v1::CalendarEvent> out;
    for (const auto& row :
         db::Exec(tx,
                  "SELECT id::text, room_id::text, kind, title, local_start, time_zone, duration_minutes, "
                  "coalesce(milestone_id, ''), created_by FROM calendar_events WHERE room_id = $1::uuid "
                  "ORDER BY local_start, id",
                  room_id)) {
        v1::CalendarEvent e;
        e.set_event_id(row[0].c_str());
        e.set_room_id(row[1].c_str());
        e.set_kind(KindOf(row[2].c_str()));
        e.set_title(row[3].c_str());
        e.set_local_start(row[4].c_str());
        e.set_time_zone(row[5].c_str());
        e.set_duration_minutes(row[6].as<int>());
        e.set_milestone_id(row[7].c_str());
        e.set_created_by(row[8].c_str());
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace marketplace::workroom::storage
