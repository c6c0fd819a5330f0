// iCalendar without a database: escaping, folding at 75 octets, the calendar's shape.
#include <catch2/catch.hpp>

#include <sstream>

#include "domain/icalendar.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace;
using namespace marketplace::workroom;

TEST_CASE("iCalendar: text is escaped and lines fold at 75 octets, never inside a character", "[workroom]") {
    CHECK(EscapeText("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne");
    std::string long_line = "SUMMARY:";
    for (int i = 0; i < 60; ++i) long_line += "\xc3\xa9";  // é, two octets each
    const auto folded = FoldLine(long_line);
    std::istringstream lines(folded);
    std::string line, joined;
    bool first = true;
    while (std::getline(lines, line)) {
        REQUIRE(!line.empty());
        REQUIRE(line.back() == '\r');  // CRLF
        line.pop_back();
        CHECK(line.size() <= 75);
        if (!first) {
            REQUIRE(line.front() == ' ');
            line.erase(0, 1);
        }
        // A fold never splits a UTF-8 sequence: no line starts with a continuation byte.
        CHECK((static_cast<unsigned char>(line.front()) & 0xC0) != 0x80);
        joined += line;
        first = false;
    }
    CHECK(joined == long_line);
}

TEST_CASE("iCalendar: a zoned event carries its TZID and local time, a UTC one a Z time", "[workroom]") {
    const auto ics = RenderCalendar("Room",
                                    {{"e1", "Standup", "STANDUP", "2026-12-07T09:00", "Europe/Berlin", 15},
                                     {"e2", "Due", "MILESTONE", "2026-12-20T17:00", "UTC", 0}},
                                    "20261206T120000Z");
    CHECK(ics.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0) == 0);
    CHECK(ics.find("DTSTART;TZID=Europe/Berlin:20261207T090000\r\n") != std::string::npos);
    CHECK(ics.find("DURATION:PT15M\r\n") != std::string::npos);
    CHECK(ics.find("DTSTART:20261220T170000Z\r\n") != std::string::npos);
    CHECK(ics.find("UID:e2@workroom.marketplace\r\n") != std::string::npos);
    CHECK(ics.substr(ics.size() - 15) == "END:VCALENDAR\r\n");
}

TEST_CASE("iCalendar: local times and zone names are checked, naming the field", "[workroom]") {
    CHECK_NOTHROW(RequireLocalTime("2028-02-29T23:59", "local_start"));
    CHECK_THROWS_AS(RequireLocalTime("2027-02-29T10:00", "local_start"), core::InvalidArgument);
    CHECK_THROWS_AS(RequireLocalTime("2026-12-07 09:00", "local_start"), core::InvalidArgument);
    CHECK_THROWS_AS(RequireLocalTime("2026-12-07T24:00", "local_start"), core::InvalidArgument);
    CHECK_NOTHROW(RequireZoneName("America/Argentina/Buenos_Aires", "time_zone"));
    CHECK_THROWS_AS(RequireZoneName("../etc/passwd", "time_zone"), core::InvalidArgument);
    CHECK_THROWS_AS(RequireZoneName("Europe/Berlin;DROP", "time_zone"), core::InvalidArgument);
}
