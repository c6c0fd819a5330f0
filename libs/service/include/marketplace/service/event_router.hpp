#pragma once
// Dispatches incoming events by CloudEvents type to typed handlers. An event of a type nobody
// registered is skipped (and still recorded in the inbox); so is, with an error log, an event whose
// type belongs to another service than the topic it came from (a principal may write only its own
// topic, so such an event is forged: docs/KAFKA.md); a payload that does not parse as its type is a
// PermanentError (dead-lettered), and so is a domain error that no retry can fix (IsPermanent).
//
//   service::EventRouter router;
//   router.On<payments::v1::EscrowFunded>([this](pqxx::work& tx, const payments::v1::EscrowFunded& e) { ... });
//   runtime.Consume(router);   // subscribes to payments.events.v1, the topic the type's package names While a handler
//   runs, the incoming event's trace is the
// thread's current trace (rpc::CurrentTrace), so events it publishes continue that trace.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/core/errors.hpp"
#include "marketplace/messaging/consumer.hpp"

namespace marketplace::service {

/// True if an event of CloudEvents type `type` ("marketplace.<service>.v1.<Name>") may arrive on
/// `topic`: the topic of the service that owns the type, "<service>.events.v1" after any prefix that
/// ends in '.' ("e2e-1a2b.payments.events.v1").
bool TypeBelongsToTopic(const std::string& type, const std::string& topic);

/// The topic that carries events of `type` ("marketplace.payments.v1.EscrowFunded" -> "payments.events.v1");
/// "" for a type that is not a marketplace event type.
std::string OwnerTopic(const std::string& type);

/// Whether a domain error from an event handler can never succeed on a retry (InvalidArgument,
/// NotFound, FailedPrecondition, PermissionDenied, Unauthenticated): the router turns those into a
/// messaging::PermanentError (a dead letter), the twin of the gRPC status mapping; the others
/// (Conflict, ResourceExhausted, Unavailable) are retried like any transient failure.
bool IsPermanent(const core::Error& error);

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

    /// The same, for a handler that needs only the message.
    template <typename Message>
    EventRouter& On(std::function<void(pqxx::work&, const Message&)> handler) {
        return On<Message>([handler = std::move(handler)](pqxx::work& tx, const Message& m,
                                                          const messaging::IncomingEvent&) { handler(tx, m); });
    }

    /// A handler for several events of type `Message` at once, in one transaction: when the events a
    /// transaction applies (InboxApplier, a consumer's batch) hold more than one such event in a row,
    /// they go to `handler` together, in order; a lone one goes to the handler registered with On,
    /// which must be registered too. If `handler` throws, the transaction rolls back and its events
    /// are applied one at a time with On's handler, so it may refuse what it does not batch.
    template <typename Message>
    EventRouter& OnBatch(std::function<void(pqxx::work&, const std::vector<Message>&,
                                            const std::vector<const messaging::IncomingEvent*>&)>
                             handler) {
        batch_handlers_[Message::descriptor()->full_name()] =
            [handler = std::move(handler)](pqxx::work& tx, const std::vector<const messaging::IncomingEvent*>& events) {
                std::vector<Message> messages(events.size());
                for (std::size_t i = 0; i < events.size(); ++i) {
                    if (!messages[i].ParseFromString(events[i]->payload)) {
                        throw messaging::PermanentError("payload does not parse as " + events[i]->type);
                    }
                }
                handler(tx, messages, events);
            };
        return *this;
    }

    /// The topics the registered types arrive on (their owners' topics, without any prefix), sorted.
    std::vector<std::string> Topics() const;

    /// The handler to give Runtime::Consume.
    messaging::EventHandler Handler() const;
    /// The batch handler (messaging::ApplierOptions): runs of events with an OnBatch handler go to it,
    /// the others to Handler(); null when no type has an OnBatch handler.
    messaging::BatchHandler Batches() const;

private:
    std::map<std::string, messaging::EventHandler> handlers_;
    std::map<std::string, messaging::BatchHandler> batch_handlers_;
};

}  // namespace marketplace::service
