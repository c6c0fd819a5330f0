#pragma once
// What clans consumes, one line a type (the read model of the clans' contracts):
//   jobs.events.v1       ProposalAccepted    -> a clan hired: version 1 of the payout plan locked (PayoutSplitLocked)
//   contracts.events.v1  ContractCreated     -> a contract whose working party is a clan: recorded, milestones open
//   payments.events.v1   EscrowFunded        -> the milestone holds money in escrow
//   payments.events.v1   EscrowReleased      -> the milestone is closed
//   payments.events.v1   EscrowRefunded      -> the milestone is closed
//   payments.events.v1   EscrowSettled       -> the milestone is closed (a dispute's settlement)
//   contracts.events.v1  MilestoneCancelled  -> the milestone is closed (a funded one is refunded first)
// Events about contracts of freelancers change nothing here.
#include "app/clan_flows.hpp"
#include "marketplace/service/event_router.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::clans {

class EventConsumers final {
public:
    explicit EventConsumers(ClanFlows& flows) : flows_(flows) {}
    service::EventRouter Router() const;
    void Register(service::Runtime& runtime) const;

private:
    ClanFlows& flows_;
};

}  // namespace marketplace::clans
