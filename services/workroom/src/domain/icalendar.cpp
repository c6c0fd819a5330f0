#include "domain/icalendar.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>

#include "marketplace/core/errors.hpp"

namespace marketplace::workroom {
namespace {

bool Digits(std::string_view s) {
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return !s.empty();
}

int Number(std::string_view s) {
    int n = 0;
    for (char c : s) n = n * 10 + (c - '0');
    return n;
}

/// "2026-12-07T09:00" -> "20261207T090000".
std::string Compact(std::string_view local) {
    return std::string(local.substr(0, 4)) + std::string(local.substr(5, 2)) + std::string(local.substr(8, 2)) + "T" +
           std::string(local.substr(11, 2)) + std::string(local.substr(14, 2)) + "00";
}

/// Unix seconds -> "YYYYMMDDTHHMMSS" (no zone designator).
std::string Stamp(std::int64_t seconds) {
    using namespace std::chrono;
    const std::int64_t day = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    const std::int64_t rest = seconds - day * 86400;
    const year_month_day ymd{sys_days{days{day}}};
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02lld%02lld%02lld", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
                  static_cast<long long>(rest % 60));
    return buf;
}

/// An offset as RFC 5545's UTC-OFFSET: "+0100", "-0430", "+054500".
std::string Offset(std::int32_t seconds) {
    const char sign = seconds < 0 ? '-' : '+';
    const std::int32_t a = seconds < 0 ? -seconds : seconds;
    char buf[48];
    if (a % 60 != 0) {
        std::snprintf(buf, sizeof buf, "%c%02d%02d%02d", sign, a / 3600, a / 60 % 60, a % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%c%02d%02d", sign, a / 3600, a / 60 % 60);
    }
    return buf;
}

void Observance(std::vector<std::string>& out, const ZoneType& from, const ZoneType& to, std::int64_t local_start) {
    const std::string kind = to.is_dst ? "DAYLIGHT" : "STANDARD";
    out.push_back("BEGIN:" + kind);
    out.push_back("DTSTART:" + Stamp(local_start));
    out.push_back("TZOFFSETFROM:" + Offset(from.utc_offset_seconds));
    out.push_back("TZOFFSETTO:" + Offset(to.utc_offset_seconds));
    if (!to.abbreviation.empty()) out.push_back("TZNAME:" + EscapeText(to.abbreviation));
    out.push_back("END:" + kind);
}

}  // namespace

std::int64_t NaiveSeconds(std::string_view local) {
    using namespace std::chrono;
    const sys_days d{year{Number(local.substr(0, 4))} / month{static_cast<unsigned>(Number(local.substr(5, 2)))} /
                     day{static_cast<unsigned>(Number(local.substr(8, 2)))}};
    return d.time_since_epoch().count() * 86400 + Number(local.substr(11, 2)) * 3600 + Number(local.substr(14, 2)) * 60;
}

std::vector<std::string> TimezoneLines(std::string_view tzid, const ZoneRules& rules, std::int64_t from,
                                       std::int64_t to) {
    std::vector<std::string> out{"BEGIN:VTIMEZONE", "TZID:" + std::string(tzid)};
    const auto initial = rules.TypeAt(from);
    Observance(out, initial, initial, from + initial.utc_offset_seconds);
    for (const auto& t : rules.TransitionsBetween(from, to)) {
        Observance(out, t.before, t.after, t.at + t.before.utc_offset_seconds);
    }
    out.push_back("END:VTIMEZONE");
    return out;
}

void RequireLocalTime(std::string_view text, std::string_view field) {
    const bool shape = text.size() == 16 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' &&
                       Digits(text.substr(0, 4)) && Digits(text.substr(5, 2)) && Digits(text.substr(8, 2)) &&
                       Digits(text.substr(11, 2)) && Digits(text.substr(14, 2));
    if (!shape) throw core::InvalidArgument(std::string(field), "must be a local time YYYY-MM-DDTHH:MM");
    const int year = Number(text.substr(0, 4)), month = Number(text.substr(5, 2)), day = Number(text.substr(8, 2));
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days[month - 1] || Number(text.substr(11, 2)) > 23 ||
        Number(text.substr(14, 2)) > 59) {
        throw core::InvalidArgument(std::string(field), "must be a real date and time of day");
    }
}

void RequireZoneName(std::string_view name, std::string_view field) {
    bool ok = !name.empty() && name.size() <= 64 && name.front() != '/' && name.back() != '/' &&
              name.find("..") == std::string_view::npos && name.find("//") == std::string_view::npos;
    for (char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+')) ok = false;
    }
    if (!ok) throw core::InvalidArgument(std::string(field), "must be an IANA time zone name such as Europe/Berlin");
}

std::string EscapeText(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' || c == ';' || c == ',') {
            out += '\\';
            out += c;
        } else if (c == '\r') {
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
            out += "\\n";
        } else if (c == '\n') {
            out += "\\n";
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            out += ' ';  // other control characters are not allowed in TEXT
        } else {
            out += c;
        }
    }
    return out;
}

std::string FoldLine(std::string_view line) {
    std::string out;
    std::size_t width = 0;  // octets on the current physical line
    for (std::size_t i = 0; i < line.size();) {
        std::size_t len = 1;
        const auto lead = static_cast<unsigned char>(line[i]);
        if (lead >= 0xF0)
            len = 4;
        else if (lead >= 0xE0)
            len = 3;
        else if (lead >= 0xC0)
            len = 2;
        if (width + len > 75) {
            out += "\r\n ";
            width = 1;
        }
        out.append(line.substr(i, len));
        width += len;
        i += len;
    }
    return out + "\r\n";
}

std::string RenderCalendar(std::string_view name, const std::vector<CalendarEntry>& entries, std::string_view stamp_utc,
                           const std::vector<std::string>& timezone_lines) {
    std::string out;
    auto line = [&](const std::string& l) { out += FoldLine(l); };
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Marketplace//Workroom calendar//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line("X-WR-CALNAME:" + EscapeText(name));
    for (const auto& l : timezone_lines) line(l);
    for (const auto& e : entries) {
        line("BEGIN:VEVENT");
        line("UID:" + e.uid + "@workroom.marketplace");
        line("DTSTAMP:" + std::string(stamp_utc));
        if (e.time_zone == "UTC") {
            line("DTSTART:" + Compact(e.local_start) + "Z");
        } else {
            line("DTSTART;TZID=" + e.time_zone + ":" + Compact(e.local_start));
        }
        if (e.duration_minutes > 0) line("DURATION:PT" + std::to_string(e.duration_minutes) + "M");
        line("SUMMARY:" + EscapeText(e.summary));
        line("CATEGORIES:" + e.category);
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    return out;
}

}  // namespace marketplace::workroom
