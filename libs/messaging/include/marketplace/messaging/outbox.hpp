#pragma once
// Appending to the transactional outbox. Call Append inside the transaction that makes the state
// change, after locking the aggregate's row: the row's id then orders events of one aggregate in
// commit order, and the relay publishes them in that order with the aggregate id as the Kafka key.
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/messaging/event.hpp"

namespace marketplace::messaging {

class Outbox final {
public:
    /// `service` names the publisher in ce_source ("//marketplace/<service>").
    explicit Outbox(std::string service) : service_(std::move(service)) {}

    /// Appends `event` to the outbox in `tx`; returns the new event id. Validates sizes and names.
    std::string Append(pqxx::work& tx, const OutgoingEvent& event) const;
    /// Appends `events` in order in one statement (as many Appends would); returns their ids.
    std::vector<std::string> Append(pqxx::work& tx, const std::vector<OutgoingEvent>& events) const;

    const std::string& service() const noexcept { return service_; }

private:
    std::string service_;
};

}  // namespace marketplace::messaging
