#pragma once
// Consumers of other services' events:
//   contracts.events.v1  ContractCreated -> the contract's room, its parties as members, its
//                                           milestones' due dates in the room's calendar
//   contracts.events.v1  MilestoneSubmitted -> the milestone's pull requests and checks stored as a
//                                           `milestone_submitted` room event (app/code_actions.hpp)
// Each runs in the consumer's transaction after the inbox claimed the event, so a redelivered event
// writes nothing; the rooms' unique contract_id backs that up.
#include "app/calendar_actions.hpp"
#include "app/code_actions.hpp"
#include "app/room_actions.hpp"
#include "marketplace/service/event_router.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::workroom {

class WorkroomEvents final {
public:
    WorkroomEvents(service::Runtime& runtime, const CodeActions& code)
        : actions_(runtime), calendar_(runtime), code_(code) {}

    /// A router dispatching every event above by its type.
    service::EventRouter Router() const;
    /// Registers the consumer with the runtime (before Start).
    void Register(service::Runtime& runtime) const;

private:
    RoomActions actions_;
    CalendarActions calendar_;
    const CodeActions& code_;
};

}  // namespace marketplace::workroom
