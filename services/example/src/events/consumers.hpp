#pragma once
// What the template service consumes, one line a type:
//   jobs.events.v1  JobPosted  -> the client's activity counts the job; ClientActivityChanged published
// The topics come from the types (EventRouter::Topics); the consumes column of the service's row in
// services/registry.tsv names their producers, for the bus's ACLs (deploy/local/kafka/topology.sh).
#include "marketplace/service/event_router.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::example {

class EventConsumers final {
public:
    explicit EventConsumers(service::Runtime& runtime) : runtime_(runtime) {}
    service::EventRouter Router() const;
    void Register(service::Runtime& runtime) const;

private:
    service::Runtime& runtime_;
};

}  // namespace marketplace::example
