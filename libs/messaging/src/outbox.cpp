#include "marketplace/messaging/outbox.hpp"

#include <pqxx/binarystring>
#include <pqxx/pqxx>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/db/arrays.hpp"
#include "marketplace/db/statements.hpp"

namespace marketplace::messaging {

namespace {

/// Throws InvalidArgument naming the field when `event` cannot be appended.
void Validate(const OutgoingEvent& event) {
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
    const std::string& traceparent = event.traceparent;
    if (!traceparent.empty() && !core::TraceContext::Parse(traceparent)) {
        throw core::InvalidArgument("event.traceparent", "must be a W3C traceparent");
    }
}

std::string Hex(const std::string& bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0x0f]);
    }
    return out;
}

}  // namespace

std::string Outbox::Append(pqxx::work& tx, const OutgoingEvent& event) const {
    Validate(event);
    std::string id = core::NewUuidV7();
    const pqxx::binarystring payload(event.payload.data(), event.payload.size());
    db::Exec(tx,
             "INSERT INTO outbox (event_id, topic, event_key, event_type, schema_version, payload, traceparent) "
             "VALUES ($1, $2, $3, $4, $5, $6, $7)",
             id, event.topic, event.key, event.type, event.schema_version, payload, event.traceparent);
    return id;
}

std::vector<std::string> Outbox::Append(pqxx::work& tx, const std::vector<OutgoingEvent>& events) const {
    if (events.size() == 1) return {Append(tx, events.front())};
    std::vector<std::string> ids, topics, keys, types, payloads, traceparents;
    std::vector<std::int64_t> versions;
    for (const auto& event : events) {
        Validate(event);
        ids.push_back(core::NewUuidV7());
        topics.push_back(event.topic);
        keys.push_back(event.key);
        types.push_back(event.type);
        versions.push_back(event.schema_version);
        payloads.push_back(Hex(event.payload));
        traceparents.push_back(event.traceparent);
    }
    if (events.empty()) return ids;
    // In the given order, so that the rows' ids order them as if appended one by one.
    db::Exec(tx,
             "INSERT INTO outbox (event_id, topic, event_key, event_type, schema_version, payload, traceparent) "
             "SELECT e.id::uuid, e.topic, e.k, e.type, e.version, decode(e.payload, 'hex'), e.traceparent "
             "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[]) "
             "WITH ORDINALITY AS e(id, topic, k, type, version, payload, traceparent, n) ORDER BY e.n",
             db::TextArray(ids), db::TextArray(topics), db::TextArray(keys), db::TextArray(types),
             db::IntArray(versions), db::TextArray(payloads), db::TextArray(traceparents));
    return ids;
}

}  // namespace marketplace::messaging
