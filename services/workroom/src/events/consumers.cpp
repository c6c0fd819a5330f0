#include "events/consumers.hpp"

#include "marketplace/clans/v1/events.pb.h"
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
        if (actions_.CreateRoom(tx, e.contract_id(), e.proposal_id(), e.client_id(), e.freelancer_id(),
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
    // A clan contract's room holds the members its plan in force names, while they are in the clan.
    router.On<clans::v1::PayoutSplitLocked>([this](pqxx::work& tx, const clans::v1::PayoutSplitLocked& e) {
        if (e.clan_id().empty()) throw core::InvalidArgument("clan_id", "must be set");
        if (e.proposal_id().empty()) throw core::InvalidArgument("proposal_id", "must be set");
        if (e.version() < 1) throw core::InvalidArgument("version", "must be at least 1");
        std::vector<std::string> members;
        for (const auto& share : e.shares()) {
            if (share.user_id().empty()) throw core::InvalidArgument("shares.user_id", "must be set");
            members.push_back(share.user_id());
        }
        if (actions_.KeepClanPlan(tx, e.proposal_id(), e.clan_id(), e.version(), members)) {
            core::log::Info("clan plan kept", {{"proposal_id", e.proposal_id()}, {"version", e.version()}});
        }
    });
    router.On<clans::v1::ClanMemberChanged>([this](pqxx::work& tx, const clans::v1::ClanMemberChanged& e) {
        if (e.clan_id().empty()) throw core::InvalidArgument("clan_id", "must be set");
        if (e.user_id().empty()) throw core::InvalidArgument("user_id", "must be set");
        if (e.change() == "left" || e.change() == "removed") {
            actions_.ClanMembershipChanged(tx, e.clan_id(), e.user_id(), true);
        } else if (e.change() == "joined") {
            actions_.ClanMembershipChanged(tx, e.clan_id(), e.user_id(), false);
        }
    });
    return router;
}

void WorkroomEvents::Register(service::Runtime& runtime) const { runtime.Consume(Router()); }

}  // namespace marketplace::workroom
