#pragma once
// Dispatches incoming events by CloudEvents type to typed handlers. An event of a type nobody
// registered is skipped (and still recorded in the inbox); so is, with an error log, an event whose
// type belongs to another service than the topic it came from (a principal may write only its own
// topic, so such an event is forged: docs/KAFKA.md); a payload that does not parse as its type is a
// PermanentError (dead-lettered). While a handler runs, the incoming event's trace is the
// thread's current trace (rpc::CurrentTrace), so events it publishes continue that trace.
#include <functional>
#include <map>
#include <string>

#include <pqxx/transaction>

#include "marketplace/messaging/consumer.hpp"

namespace marketplace::service {

/// True if an event of CloudEvents type `type` ("marketplace.<service>.v1.<Name>") may arrive on
/// `topic`: the topic of the service that owns the type, "<service>.events.v1" after any prefix that
/// ends in '.' ("e2e-1a2b.payments.events.v1").
bool TypeBelongsToTopic(const std::string& type, const std::string& topic);

class EventRouter final {
public:
    template <typename Message>
    EventRouter& On(std::function<void(pqxx::work&, const Message&, const messaging::IncomingEvent&)> handler) {
        // ce_type is the message's full name: "marketplace.<service>.v1.<EventName>".
        handlers_[Message::descriptor()->full_name()] = [handler = std::move(handler)](
                                                            pqxx::work& tx, const messaging::IncomingEvent& e) {
            Message m;
            if (!m.ParseFromString(e.payload)) throw messaging::PermanentError("payload does not parse as " + e.type);
            handler(tx, m, e);
        };
        return *this;
    }

    /// The handler to give Runtime::Consume.
    messaging::EventHandler Handler() const;

private:
    std::map<std::string, messaging::EventHandler> handlers_;
};

}  // namespace marketplace::service
