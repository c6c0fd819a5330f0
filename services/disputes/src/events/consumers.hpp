#pragma once
// What disputes consumes, one line a type:
//   contracts.events.v1  MilestoneDisputed        -> opening -> response (the milestone is held)
//   contracts.events.v1  MilestoneDisputeRefused  -> opening -> refused, with contracts' reason
//   payments.events.v1   EscrowSettled            -> the resolution is settled
// and its two timers: a rung's deadline (its default applies) and the reminder before it.
#include "app/dispute_flows.hpp"
#include "marketplace/service/event_router.hpp"

namespace marketplace::disputes {

class EventConsumers final {
public:
    explicit EventConsumers(DisputeFlows& flows) : flows_(flows) {}
    service::EventRouter Router() const;
    void Register(service::Runtime& runtime) const;

private:
    DisputeFlows& flows_;
};

}  // namespace marketplace::disputes
