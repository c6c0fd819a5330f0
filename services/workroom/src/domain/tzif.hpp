#pragma once
// A time zone's rules from its TZif file (RFC 8536, what /usr/share/zoneinfo holds), without I/O:
// the version 2+ table of transitions (64-bit times) and, past its end, the footer's POSIX TZ rule
// ("CET-1CEST,M3.5.0,M10.5.0/3") worked out year by year, so "slim" files that stop their table
// early give the same transitions as "fat" ones. Used to write each zone's VTIMEZONE.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marketplace::workroom {

/// One local time type: its offset from UTC, whether it is daylight saving time, its abbreviation.
struct ZoneType {
    std::int32_t utc_offset_seconds = 0;
    bool is_dst = false;
    std::string abbreviation;
};

/// A change of local time type at a UTC instant (Unix seconds).
struct ZoneTransition {
    std::int64_t at = 0;
    ZoneType before;
    ZoneType after;
};

class ZoneRules final {
public:
    /// Parses a TZif file's bytes; nullopt when they are not a TZif file of version 2 or later with
    /// a footer this parser understands (every zone of the IANA database is).
    static std::optional<ZoneRules> Parse(std::string_view tzif);

    /// The local time type in force at `unix_seconds`.
    ZoneType TypeAt(std::int64_t unix_seconds) const;
    /// The transitions strictly after `from` and at or before `to`, oldest first.
    std::vector<ZoneTransition> TransitionsBetween(std::int64_t from, std::int64_t to) const;

private:
    struct Rule {  // the footer's DST rule: a transition date per year, Mm.w.d at a local time
        int month = 0, week = 0, weekday = 0;
        std::int32_t local_seconds = 7200;
    };
    /// The footer's transitions in `year` (UTC seconds), empty without a DST rule.
    std::vector<ZoneTransition> FooterTransitions(int year) const;

    std::vector<std::int64_t> times_;
    std::vector<int> type_of_;  // per transition, an index into types_
    std::vector<ZoneType> types_;
    ZoneType standard_;
    std::optional<ZoneType> daylight_;
    Rule to_daylight_, to_standard_;
};

}  // namespace marketplace::workroom
