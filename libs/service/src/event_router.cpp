#include "marketplace/service/event_router.hpp"

#include "marketplace/core/log.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/rpc/call_scope.hpp"

namespace marketplace::service {

bool TypeBelongsToTopic(const std::string& type, const std::string& topic) {
    constexpr std::string_view kPrefix = "marketplace.";
    if (!type.starts_with(kPrefix)) return false;
    const auto end = type.find('.', kPrefix.size());
    if (end == std::string::npos || end == kPrefix.size()) return false;
    const std::string owner_topic = type.substr(kPrefix.size(), end - kPrefix.size()) + ".events.v1";
    if (topic == owner_topic) return true;
    return topic.size() > owner_topic.size() && topic.ends_with(owner_topic) &&
           topic[topic.size() - owner_topic.size() - 1] == '.';
}

messaging::EventHandler EventRouter::Handler() const {
    return [handlers = handlers_](pqxx::work& tx, const messaging::IncomingEvent& event) {
        auto it = handlers.find(event.type);
        if (it == handlers.end()) {
            core::log::Debug("event of a type this service does not handle",
                             {{"type", event.type}, {"event_id", event.id}});
            return;
        }
        if (!TypeBelongsToTopic(event.type, event.topic)) {
            core::log::Error("event skipped: its type belongs to another service than its topic",
                             {{"type", event.type}, {"topic", event.topic}, {"event_id", event.id}});
            return;
        }
        auto incoming = core::TraceContext::Parse(event.traceparent);
        rpc::TraceScope trace(incoming ? incoming->Child() : core::TraceContext::NewRoot());
        it->second(tx, event);
    };
}

}  // namespace marketplace::service
