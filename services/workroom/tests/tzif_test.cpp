// The zone database's TZif files read by ZoneRules, checked against the C library's own reading of
// the same zones (localtime_r under TZ=<zone>): the offset and daylight-saving flag at random instants
// from 1975 to 2080 (past the files' tables, where the footer's rule applies), for zones with
// ordinary, negative-hour, 24-hour, half-hour and 45-minute rules. The seed is printed on failure.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>

#include "domain/icalendar.hpp"
#include "domain/tzif.hpp"

using namespace marketplace::workroom;

namespace {

std::optional<ZoneRules> Load(const std::string& zone) {
    std::ifstream file("/usr/share/zoneinfo/" + zone, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    return ZoneRules::Parse(bytes);
}

}  // namespace

TEST_CASE("TZif: offsets and DST agree with the C library at random instants", "[workroom][calendar]") {
    const auto seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::int64_t> when(157766400LL /*1975*/, 3471292800LL /*2080*/);
    for (const std::string zone :
         {"Europe/Berlin", "America/New_York", "America/Nuuk", "America/Santiago", "Australia/Lord_Howe",
          "Pacific/Chatham", "Asia/Tokyo", "Asia/Tehran", "Africa/Casablanca", "America/Sao_Paulo", "Europe/Dublin"}) {
        INFO(zone);
        const auto rules = Load(zone);
        REQUIRE(rules);
        setenv("TZ", zone.c_str(), 1);
        tzset();
        for (int i = 0; i < 2000; ++i) {
            const std::int64_t t = when(rng);
            const std::time_t tt = static_cast<std::time_t>(t);
            std::tm tm{};
            localtime_r(&tt, &tm);
            const auto type = rules->TypeAt(t);
            INFO("at " << t);
            REQUIRE(type.utc_offset_seconds == tm.tm_gmtoff);
            REQUIRE(type.is_dst == (tm.tm_isdst > 0));
        }
    }
    unsetenv("TZ");
    tzset();
}

TEST_CASE("TZif: Berlin's transitions of 2026, and the VTIMEZONE written from them", "[workroom][calendar]") {
    const auto rules = Load("Europe/Berlin");
    REQUIRE(rules);
    const std::int64_t from = 1767225600;  // 2026-01-01T00:00Z
    const std::int64_t to = 1798761600;    // 2027-01-01T00:00Z
    const auto transitions = rules->TransitionsBetween(from, to);
    REQUIRE(transitions.size() == 2);
    CHECK(transitions[0].at == 1774746000);  // 2026-03-29T01:00Z
    CHECK(transitions[0].after.abbreviation == "CEST");
    CHECK(transitions[0].after.utc_offset_seconds == 7200);
    CHECK(transitions[1].at == 1792890000);  // 2026-10-25T01:00Z
    CHECK(transitions[1].after.abbreviation == "CET");

    const auto lines = TimezoneLines("Europe/Berlin", *rules, from, to);
    const std::vector<std::string> expected = {"BEGIN:VTIMEZONE",    "TZID:Europe/Berlin",
                                               "BEGIN:STANDARD",     "DTSTART:20260101T010000",
                                               "TZOFFSETFROM:+0100", "TZOFFSETTO:+0100",
                                               "TZNAME:CET",         "END:STANDARD",
                                               "BEGIN:DAYLIGHT",     "DTSTART:20260329T020000",
                                               "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
                                               "TZNAME:CEST",        "END:DAYLIGHT",
                                               "BEGIN:STANDARD",     "DTSTART:20261025T030000",
                                               "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
                                               "TZNAME:CET",         "END:STANDARD",
                                               "END:VTIMEZONE"};
    CHECK(lines == expected);

    // Half-hour and 45-minute offsets are written with their minutes.
    const auto chatham = Load("Pacific/Chatham");
    REQUIRE(chatham);
    const auto chatham_lines = TimezoneLines("Pacific/Chatham", *chatham, from, to);
    CHECK(std::find(chatham_lines.begin(), chatham_lines.end(), "TZOFFSETTO:+1345") != chatham_lines.end());
}

TEST_CASE("TZif: what is not a TZif file is refused", "[workroom][calendar]") {
    CHECK_FALSE(ZoneRules::Parse(""));
    CHECK_FALSE(ZoneRules::Parse("TZif"));
    CHECK_FALSE(ZoneRules::Parse(std::string(200, 'x')));
    auto berlin = std::string();
    {
        std::ifstream file("/usr/share/zoneinfo/Europe/Berlin", std::ios::binary);
        berlin.assign((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    }
    CHECK(ZoneRules::Parse(berlin));
    CHECK_FALSE(ZoneRules::Parse(berlin.substr(0, berlin.size() / 2)));  // truncated
}
