// The room's calendar over gRPC against PostgreSQL: events in IANA time zones, milestone due dates
// from ContractCreated (and moved when a later event carries another date), and the iCalendar export
// read back by an independent parser (Python's `icalendar` from PyPI, in the venv deps.sh makes).
#include <catch2/catch.hpp>

#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "workroom_fixture.hpp"

using namespace marketplace;
using namespace marketplace::workroom;
using namespace marketplace::workroom::testing;
using json = nlohmann::json;

namespace {

std::pair<grpc::StatusCode, std::string> AddEvent(const std::string& room, const std::string& user,
                                                  v1::CalendarEventKind kind, const std::string& title,
                                                  const std::string& local_start, const std::string& zone,
                                                  int minutes) {
    v1::CreateCalendarEventRequest request;
    request.set_room_id(room);
    request.set_kind(kind);
    request.set_title(title);
    request.set_local_start(local_start);
    request.set_time_zone(zone);
    request.set_duration_minutes(minutes);
    v1::CreateCalendarEventResponse response;
    auto ctx = Context(user);
    const auto status = F().stub->CreateCalendarEvent(ctx.get(), request, &response);
    return {status.error_code(), ErrorField(*ctx)};
}

std::string Export(const std::string& room, const std::string& user) {
    v1::ExportCalendarRequest request;
    request.set_room_id(room);
    v1::ExportCalendarResponse response;
    auto ctx = Context(user);
    const auto status = F().stub->ExportCalendar(ctx.get(), request, &response);
    if (!status.ok()) throw std::runtime_error("ExportCalendar: " + status.error_message());
    return response.icalendar();
}

/// What the independent parser reads in `ics`.
json Parse(const std::string& ics) {
    const char* python_env = std::getenv("MARKETPLACE_PYTHON");
    const char* home = std::getenv("HOME");
    const std::string python =
        python_env ? python_env : std::string(home ? home : "/root") + "/.cache/marketplace/icalendar-venv/bin/python";
    if (!std::filesystem::exists(python)) {
        FAIL("no Python with the icalendar package at " << python << ": run make deps (deploy/local/deps.sh)");
    }
    const auto path = std::filesystem::temp_directory_path() / ("workroom-" + core::NewUuidV4() + ".ics");
    std::ofstream(path, std::ios::binary) << ics;
    const std::string command = python + " " + WORKROOM_ICAL_CHECK + " " + path.string() + " 2>&1";
    std::string out;
    if (FILE* pipe = popen(command.c_str(), "r")) {
        char buf[4096];
        std::size_t n;
        while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
        const int rc = pclose(pipe);
        std::filesystem::remove(path);
        INFO(out);
        REQUIRE(rc == 0);
    }
    return json::parse(out);
}

}  // namespace

TEST_CASE("Calendar: events in time zones and milestone due dates export as iCalendar another parser reads",
          "[workroom][pg]") {
    Room room;
    room.contract_id = core::NewUuidV7();
    room.client = "client-" + core::NewUuidV4().substr(0, 8);
    room.freelancer = "freelancer-" + core::NewUuidV4().substr(0, 8);
    room.milestone_id = core::NewUuidV7();
    contracts::v1::ContractCreated created;
    created.set_contract_id(room.contract_id);
    created.set_client_id(room.client);
    created.set_freelancer_id(room.freelancer);
    created.add_milestone_ids(room.milestone_id);
    auto* schedule = created.add_milestones();
    schedule->set_milestone_id(room.milestone_id);
    schedule->set_title("MVP, deployed");
    *schedule->mutable_due_date() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(1797786000);  // 2026-12-20T17:00Z
    Deliver(created);
    InTx([&](pqxx::work& tx) {
        room.room_id =
            tx.exec_params1("SELECT id::text FROM rooms WHERE contract_id = $1", room.contract_id)[0].c_str();
    });

    // Winter in Berlin is UTC+1; summer in New York is UTC-4: the parser applies the zones' rules.
    CHECK(AddEvent(room.room_id, room.freelancer, v1::CALENDAR_EVENT_KIND_STANDUP, "Daily standup, sprint 1",
                   "2026-12-07T09:00", "Europe/Berlin", 15)
              .first == grpc::StatusCode::OK);
    CHECK(AddEvent(room.room_id, room.client, v1::CALENDAR_EVENT_KIND_MEETING, "Kick-off; scope, risks",
                   "2026-07-01T14:30", "America/New_York", 60)
              .first == grpc::StatusCode::OK);
    CHECK(AddEvent(room.room_id, room.client, v1::CALENDAR_EVENT_KIND_DEADLINE,
                   "Design sign-off \xe2\x80\x94 " + std::string(80, 'x'), "2026-12-15T12:00", "UTC", 0)
              .first == grpc::StatusCode::OK);
    // Refusals name the field.
    CHECK(AddEvent(room.room_id, room.client, v1::CALENDAR_EVENT_KIND_MEETING, "x", "2026-12-07T09:00",
                   "Mars/Olympus_Mons",
                   30) == std::make_pair(grpc::StatusCode::INVALID_ARGUMENT, std::string("time_zone")));
    CHECK(AddEvent(room.room_id, room.client, v1::CALENDAR_EVENT_KIND_MEETING, "x", "2026-13-07T09:00", "UTC", 30) ==
          std::make_pair(grpc::StatusCode::INVALID_ARGUMENT, std::string("local_start")));
    CHECK(AddEvent(room.room_id, room.client, v1::CALENDAR_EVENT_KIND_MILESTONE_DUE, "x", "2026-12-07T09:00", "UTC",
                   0) == std::make_pair(grpc::StatusCode::INVALID_ARGUMENT, std::string("kind")));
    CHECK(
        AddEvent(room.room_id, "calendar-stranger", v1::CALENDAR_EVENT_KIND_MEETING, "x", "2026-12-07T09:00", "UTC", 30)
            .first == grpc::StatusCode::NOT_FOUND);

    auto parsed = Parse(Export(room.room_id, room.client));
    INFO(parsed.dump(2));
    CHECK(parsed.at("version") == "2.0");
    std::map<std::string, json> by_summary;
    for (const auto& e : parsed.at("events")) by_summary[e.at("summary").get<std::string>()] = e;
    REQUIRE(by_summary.size() == 4);
    CHECK(by_summary.at("Daily standup, sprint 1").at("start_utc") == "2026-12-07T08:00:00Z");
    // Each TZID used has its VTIMEZONE, and that VTIMEZONE alone gives the same instants.
    CHECK(parsed.at("missing_tzids").empty());
    CHECK(parsed.at("vtimezones") == json::array({"America/New_York", "Europe/Berlin"}));
    CHECK(by_summary.at("Daily standup, sprint 1").at("start_utc_vtimezone") == "2026-12-07T08:00:00Z");
    CHECK(by_summary.at("Kick-off; scope, risks").at("start_utc_vtimezone") == "2026-07-01T18:30:00Z");
    CHECK(by_summary.at("Daily standup, sprint 1").at("minutes") == 15);
    CHECK(by_summary.at("Daily standup, sprint 1").at("category") == "STANDUP");
    CHECK(by_summary.at("Kick-off; scope, risks").at("start_utc") == "2026-07-01T18:30:00Z");
    CHECK(by_summary.at("Design sign-off \xe2\x80\x94 " + std::string(80, 'x')).at("start_utc") ==
          "2026-12-15T12:00:00Z");
    CHECK(by_summary.at("Milestone due: MVP, deployed").at("start_utc") == "2026-12-20T17:00:00Z");
    CHECK(by_summary.at("Milestone due: MVP, deployed").at("category") == "MILESTONE");

    // Across the daylight-saving changes, by the VTIMEZONE alone: a Berlin meeting on the last
    // Sunday of March after the change (CEST, UTC+2) and a New York one the day before its change back
    // (EDT, UTC-4), and Lord Howe's half-hour shift (UTC+10:30 in winter).
    CHECK(AddEvent(room.room_id, room.client, v1::CALENDAR_EVENT_KIND_MEETING, "Berlin spring", "2027-03-28T10:00",
                   "Europe/Berlin", 30)
              .first == grpc::StatusCode::OK);
    CHECK(AddEvent(room.room_id, room.client, v1::CALENDAR_EVENT_KIND_MEETING, "New York autumn", "2027-11-06T10:00",
                   "America/New_York", 30)
              .first == grpc::StatusCode::OK);
    CHECK(AddEvent(room.room_id, room.client, v1::CALENDAR_EVENT_KIND_MEETING, "Lord Howe winter", "2027-07-01T09:00",
                   "Australia/Lord_Howe", 30)
              .first == grpc::StatusCode::OK);
    const auto dst = Parse(Export(room.room_id, room.client));
    INFO(dst.dump(2));
    CHECK(dst.at("missing_tzids").empty());
    std::map<std::string, json> shifted;
    for (const auto& e : dst.at("events")) shifted[e.at("summary").get<std::string>()] = e;
    CHECK(shifted.at("Berlin spring").at("start_utc_vtimezone") == "2027-03-28T08:00:00Z");
    CHECK(shifted.at("Berlin spring").at("start_utc") == "2027-03-28T08:00:00Z");
    CHECK(shifted.at("New York autumn").at("start_utc_vtimezone") == "2027-11-06T14:00:00Z");
    CHECK(shifted.at("Lord Howe winter").at("start_utc_vtimezone") == "2027-06-30T22:30:00Z");
    CHECK(shifted.at("Daily standup, sprint 1").at("start_utc_vtimezone") == "2026-12-07T08:00:00Z");

    // A later event with another due date moves the milestone's entry (one entry, the new date).
    *schedule->mutable_due_date() = google::protobuf::util::TimeUtil::SecondsToTimestamp(1798045200);  // +3 days
    Deliver(created);
    parsed = Parse(Export(room.room_id, room.freelancer));
    int dues = 0;
    for (const auto& e : parsed.at("events")) {
        if (e.at("summary") == "Milestone due: MVP, deployed") {
            ++dues;
            CHECK(e.at("start_utc") == "2026-12-23T17:00:00Z");
        }
    }
    CHECK(dues == 1);
}
