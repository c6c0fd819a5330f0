#pragma once
// The calendar's use cases: members add standups, deadlines and meetings (a local time in an IANA
// zone that the zone database knows); contracts' milestone due dates are kept in it; the room's
// calendar is exported as iCalendar. Non-members get NOT_FOUND, as for the rest of the room.
#include <optional>
#include <string>

#include <pqxx/transaction>

#include "domain/tzif.hpp"

#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/service/runtime.hpp"
#include "marketplace/workroom/v1/workroom.pb.h"

namespace marketplace::workroom {

/// Where the zone database is read from (the IANA tz database as Debian's tzdata installs it).
inline constexpr char kZoneInfoDir[] = "/usr/share/zoneinfo";

class CalendarActions final {
public:
    explicit CalendarActions(service::Runtime& runtime) : runtime_(runtime) {}

    v1::CalendarEvent Create(pqxx::work& tx, const std::string& user_id,
                             const v1::CreateCalendarEventRequest& request) const;
    /// The milestones' due dates of a contract's room (from ContractCreated).
    void KeepDueDates(pqxx::work& tx, const std::string& room_id,
                      const google::protobuf::RepeatedPtrField<contracts::v1::MilestoneSchedule>& milestones) const;
    /// The VCALENDAR text of the room.
    std::string Export(pqxx::work& tx, const std::string& room_id, const std::string& contract_id) const;

private:
    service::Runtime& runtime_;
};

/// True when `name` is "UTC" or a zone file of the zone database.
bool ZoneExists(const std::string& name);
/// The zone's rules from its file in kZoneInfoDir; nullopt when there is none or it does not parse.
std::optional<ZoneRules> LoadZone(const std::string& name);

}  // namespace marketplace::workroom
