#include "events/workroom_events.hpp"

#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "storage/room_store.hpp"

namespace marketplace::workroom {

service::EventRouter WorkroomEvents::Router() const {
    service::EventRouter router;
    router.On<contracts::v1::ContractCreated>([this](pqxx::work& tx, const contracts::v1::ContractCreated& e) {
        // A malformed event is an InvalidArgument: the router dead-letters it.
        if (e.contract_id().empty()) throw core::InvalidArgument("contract_id", "must be set");
        if (e.client_id().empty()) throw core::InvalidArgument("client_id", "must be set");
        if (e.freelancer_id().empty()) throw core::InvalidArgument("freelancer_id", "must be set");
        if (e.client_id() == e.freelancer_id()) {
            throw core::InvalidArgument("freelancer_id", "must differ from client_id");
        }
        if (actions_.CreateRoom(tx, e.contract_id(), e.client_id(), e.freelancer_id(),
                                {e.milestone_ids().begin(), e.milestone_ids().end()})) {
            core::log::Info("room created", {{"contract_id", e.contract_id()}});
        }
        const auto room_id = storage::RoomOfContract(tx, e.contract_id());
        if (room_id) calendar_.KeepDueDates(tx, *room_id, e.milestones());
    });
    router.On<contracts::v1::MilestoneSubmitted>([this](pqxx::work& tx, const contracts::v1::MilestoneSubmitted& e) {
        if (e.contract_id().empty()) throw core::InvalidArgument("contract_id", "must be set");
        if (e.milestone_id().empty()) throw core::InvalidArgument("milestone_id", "must be set");
        if (code_.MilestoneSubmitted(tx, e.contract_id(), e.milestone_id())) {
            core::log::Info("milestone submitted in its room",
                            {{"contract_id", e.contract_id()}, {"milestone_id", e.milestone_id()}});
        }
    });
    return router;
}

void WorkroomEvents::Register(service::Runtime& runtime) const { runtime.Consume(Router()); }

}  // namespace marketplace::workroom
