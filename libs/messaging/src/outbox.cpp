#include "marketplace/messaging/outbox.hpp"

#include <pqxx/binarystring>
#include <pqxx/pqxx>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/db/statements.hpp"

namespace marketplace::messaging {

std::string Outbox::Append(pqxx::work& tx, const OutgoingEvent& event) const {
    if (event.topic.empty() || event.topic.size() > 249)
        throw core::InvalidArgument("event.topic", "must be 1..249 characters");
    if (event.key.empty() || event.key.size() > kMaxKeyBytes) {
        throw core::InvalidArgument("event.key", "must be 1.." + std::to_string(kMaxKeyBytes) + " bytes");
    }
    if (event.type.empty() || event.type.size() > 256)
        throw core::InvalidArgument("event.type", "must be 1..256 characters");
    if (event.payload.size() > kMaxPayloadBytes) {
        throw core::InvalidArgument("event.payload", "must be at most " + std::to_string(kMaxPayloadBytes) + " bytes");
    }
    if (event.schema_version < 1) throw core::InvalidArgument("event.schema_version", "must be >= 1");
    std::string traceparent = event.traceparent;
    if (!traceparent.empty() && !core::TraceContext::Parse(traceparent)) {
        throw core::InvalidArgument("event.traceparent", "must be a W3C traceparent");
    }
    std::string id = core::NewUuidV7();
    const pqxx::binarystring payload(event.payload.data(), event.payload.size());
    db::Exec(tx,
             "INSERT INTO outbox (event_id, topic, event_key, event_type, schema_version, payload, traceparent) "
             "VALUES ($1, $2, $3, $4, $5, $6, $7)",
             id, event.topic, event.key, event.type, event.schema_version, payload, traceparent);
    return id;
}

}  // namespace marketplace::messaging
