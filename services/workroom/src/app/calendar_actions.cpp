#include "app/calendar_actions.hpp"

#include <google/protobuf/util/time_util.h>

#include <ctime>
#include <fstream>
#include <map>
#include <stdexcept>

#include "domain/icalendar.hpp"
#include "domain/message_rules.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "storage/calendar_store.hpp"

namespace marketplace::workroom {
namespace {

/// "YYYY-MM-DDTHH:MM" (UTC) of seconds since the epoch; with `compact`, "YYYYMMDDTHHMMSSZ".
std::string UtcText(std::int64_t seconds, bool compact) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, compact ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M", &tm);
    return buf;
}

std::string Category(v1::CalendarEventKind kind) {
    switch (kind) {
        case v1::CALENDAR_EVENT_KIND_STANDUP:
            return "STANDUP";
        case v1::CALENDAR_EVENT_KIND_DEADLINE:
            return "DEADLINE";
        case v1::CALENDAR_EVENT_KIND_MEETING:
            return "MEETING";
        default:
            return "MILESTONE";
    }
}

}  // namespace

bool ZoneExists(const std::string& name) { return name == "UTC" || LoadZone(name).has_value(); }

std::optional<ZoneRules> LoadZone(const std::string& name) {
    std::ifstream file(std::string(kZoneInfoDir) + "/" + name, std::ios::binary);
    if (!file) return std::nullopt;
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    return ZoneRules::Parse(bytes);
}

v1::CalendarEvent CalendarActions::Create(pqxx::work& tx, const std::string& user_id,
                                          const v1::CreateCalendarEventRequest& request) const {
    const auto kind = request.kind();
    if (kind != v1::CALENDAR_EVENT_KIND_STANDUP && kind != v1::CALENDAR_EVENT_KIND_DEADLINE &&
        kind != v1::CALENDAR_EVENT_KIND_MEETING) {
        throw core::InvalidArgument("kind", "must be a standup, a deadline or a meeting");
    }
    const auto chars = Utf8Length(request.title());
    if (chars == 0 || chars > kMaxTaskTitleChars) {
        throw core::InvalidArgument("title", "must be 1 to " + std::to_string(kMaxTaskTitleChars) + " characters");
    }
    RequireLocalTime(request.local_start(), "local_start");
    RequireZoneName(request.time_zone(), "time_zone");
    if (!ZoneExists(request.time_zone())) {
        throw core::InvalidArgument("time_zone", "is not a time zone of the IANA database");
    }
    if (request.duration_minutes() < 0 || request.duration_minutes() > 1440) {
        throw core::InvalidArgument("duration_minutes", "must be between 0 and 1440");
    }
    v1::CalendarEvent e;
    e.set_event_id(core::NewUuidV7());
    e.set_room_id(request.room_id());
    e.set_kind(kind);
    e.set_title(request.title());
    e.set_local_start(request.local_start());
    e.set_time_zone(request.time_zone());
    e.set_duration_minutes(request.duration_minutes());
    e.set_created_by(user_id);
    storage::InsertCalendarEvent(tx, e, runtime_.clock()->Now());
    return e;
}

void CalendarActions::KeepDueDates(
    pqxx::work& tx, const std::string& room_id,
    const google::protobuf::RepeatedPtrField<contracts::v1::MilestoneSchedule>& milestones) const {
    for (const auto& m : milestones) {
        if (!m.has_due_date() || m.milestone_id().empty()) continue;
        const auto title = "Milestone due: " + Excerpt(m.title().empty() ? std::string("milestone") : m.title(), 150);
        storage::UpsertMilestoneDue(tx, room_id, m.milestone_id(), title, UtcText(m.due_date().seconds(), false),
                                    runtime_.clock()->Now());
    }
}

std::string CalendarActions::Export(pqxx::work& tx, const std::string& room_id, const std::string& contract_id) const {
    std::vector<CalendarEntry> entries;
    for (const auto& e : storage::ListCalendarEvents(tx, room_id)) {
        entries.push_back(
            {e.event_id(), e.title(), Category(e.kind()), e.local_start(), e.time_zone(), e.duration_minutes()});
    }
    // A VTIMEZONE per zone used, covering its events' span with a year's margin either side.
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> spans;
    for (const auto& e : entries) {
        if (e.time_zone == "UTC") continue;
        const auto start = NaiveSeconds(e.local_start);
        const auto end = start + e.duration_minutes * 60;
        auto [it, fresh] = spans.try_emplace(e.time_zone, start, end);
        if (!fresh) it->second = {std::min(it->second.first, start), std::max(it->second.second, end)};
    }
    std::vector<std::string> timezones;
    constexpr std::int64_t kMargin = 366LL * 86400;
    for (const auto& [zone, span] : spans) {
        const auto rules = LoadZone(zone);
        if (!rules) throw std::runtime_error("the zone database's file for " + zone + " cannot be read");
        for (auto& l : TimezoneLines(zone, *rules, span.first - kMargin, span.second + kMargin)) {
            timezones.push_back(std::move(l));
        }
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(runtime_.clock()->Now().time_since_epoch());
    return RenderCalendar("Workroom of contract " + contract_id, entries, UtcText(now.count(), true), timezones);
}

}  // namespace marketplace::workroom
