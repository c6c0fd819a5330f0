#pragma once
// A room's calendar as iCalendar (RFC 5545), without I/O: the text escaping, line folding at 75
// octets (never inside a UTF-8 character) and CRLF line ends the format asks for. An event planned
// in a time zone is written with that zone's IANA name as TZID and its local time, and the calendar
// carries a VTIMEZONE for each TZID it uses (the zone's observances over the events' span, from the
// zone database), as RFC 5545 asks; a UTC event is written with "Z".
#include <string>
#include <string_view>
#include <vector>

#include "domain/tzif.hpp"

namespace marketplace::workroom {

struct CalendarEntry {
    std::string uid;           // unique and stable: the event's id
    std::string summary;       // the title
    std::string category;      // "STANDUP", "DEADLINE", "MEETING", "MILESTONE"
    std::string local_start;   // "YYYY-MM-DDTHH:MM" in time_zone
    std::string time_zone;     // an IANA name, or "UTC"
    int duration_minutes = 0;  // 0: no duration (a point in time, as a deadline)
};

/// Throws core::InvalidArgument(field, ...) unless `text` is "YYYY-MM-DDTHH:MM" with a real date.
void RequireLocalTime(std::string_view text, std::string_view field);
/// Throws core::InvalidArgument(field, ...) unless `name` is shaped like an IANA zone name
/// ("Europe/Berlin", "UTC"); whether the zone exists is checked against the zone database.
void RequireZoneName(std::string_view name, std::string_view field);

/// RFC 5545 TEXT escaping: backslash, semicolon, comma, and line breaks as "\n".
std::string EscapeText(std::string_view text);
/// Folds one content line (without its CRLF) into lines of at most 75 octets, continuation lines
/// starting with a space, each ending in CRLF.
std::string FoldLine(std::string_view line);

/// The VTIMEZONE of `tzid` (unfolded content lines): the observance in force at `from` (Unix
/// seconds), then one STANDARD or DAYLIGHT observance per transition up to `to`, each with the
/// local DTSTART at which it begins, TZOFFSETFROM, TZOFFSETTO and TZNAME.
std::vector<std::string> TimezoneLines(std::string_view tzid, const ZoneRules& rules, std::int64_t from,
                                       std::int64_t to);

/// "YYYY-MM-DDTHH:MM" read as if it were UTC, in Unix seconds (to bound a zone's span).
std::int64_t NaiveSeconds(std::string_view local);

/// The whole VCALENDAR. `stamp_utc` is DTSTAMP ("YYYYMMDDTHHMMSSZ"); `timezone_lines` are the
/// VTIMEZONE blocks (TimezoneLines), written before the events.
std::string RenderCalendar(std::string_view name, const std::vector<CalendarEntry>& entries, std::string_view stamp_utc,
                           const std::vector<std::string>& timezone_lines = {});

}  // namespace marketplace::workroom
