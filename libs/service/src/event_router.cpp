#include "marketplace/service/event_router.hpp"

#include "marketplace/core/log.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/rpc/call_scope.hpp"

namespace marketplace::service {

messaging::EventHandler EventRouter::Handler() const {
    return [handlers = handlers_](pqxx::work& tx, const messaging::IncomingEvent& event) {
        auto it = handlers.find(event.type);
        if (it == handlers.end()) {
            core::log::Debug("event of a type this service does not handle",
                             {{"type", event.type}, {"event_id", event.id}});
            return;
        }
        auto incoming = core::TraceContext::Parse(event.traceparent);
        rpc::TraceScope trace(incoming ? incoming->Child() : core::TraceContext::NewRoot());
        it->second(tx, event);
    };
}

}  // namespace marketplace::service
