#include "marketplace/service/event_router.hpp"

#include <set>

#include "marketplace/core/log.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/rpc/call_scope.hpp"

namespace marketplace::service {

std::string OwnerTopic(const std::string& type) {
    constexpr std::string_view kPrefix = "marketplace.";
    if (!type.starts_with(kPrefix)) return {};
    const auto end = type.find('.', kPrefix.size());
    if (end == std::string::npos || end == kPrefix.size()) return {};
    return type.substr(kPrefix.size(), end - kPrefix.size()) + ".events.v1";
}

bool IsPermanent(const core::Error& error) {
    switch (error.code()) {
        case core::ErrorCode::kInvalidArgument:
        case core::ErrorCode::kNotFound:
        case core::ErrorCode::kFailedPrecondition:
        case core::ErrorCode::kPermissionDenied:
        case core::ErrorCode::kUnauthenticated:
            return true;
        default:
            return false;
    }
}

std::vector<std::string> EventRouter::Topics() const {
    std::set<std::string> topics;
    for (const auto& [type, _] : handlers_) {
        if (auto topic = OwnerTopic(type); !topic.empty()) topics.insert(std::move(topic));
    }
    return {topics.begin(), topics.end()};
}

bool TypeBelongsToTopic(const std::string& type, const std::string& topic) {
    const std::string owner_topic = OwnerTopic(type);
    if (owner_topic.empty()) return false;
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
        try {
            it->second(tx, event);
        } catch (const core::Error& e) {
            if (!IsPermanent(e)) throw;
            throw messaging::PermanentError(event.type + " " + event.id + ": " + e.what());
        }
    };
}

messaging::BatchHandler EventRouter::Batches() const {
    if (batch_handlers_.empty()) return nullptr;
    return [batches = batch_handlers_, single = Handler()](pqxx::work& tx,
                                                           const std::vector<const messaging::IncomingEvent*>& events) {
        // Runs of consecutive events of one type keep the events' order.
        for (std::size_t i = 0; i < events.size();) {
            std::size_t end = i + 1;
            while (end < events.size() && events[end]->type == events[i]->type) ++end;
            const auto it = batches.find(events[i]->type);
            std::vector<const messaging::IncomingEvent*> run;
            for (std::size_t j = i; j < end; ++j) {
                // An event on another service's topic is skipped (and logged) by the single handler.
                if (it != batches.end() && TypeBelongsToTopic(events[j]->type, events[j]->topic)) {
                    run.push_back(events[j]);
                } else {
                    single(tx, *events[j]);
                }
            }
            if (run.size() > 1) {
                auto incoming = core::TraceContext::Parse(run.front()->traceparent);
                rpc::TraceScope trace(incoming ? incoming->Child() : core::TraceContext::NewRoot());
                it->second(tx, run);
            } else if (run.size() == 1) {
                single(tx, *run.front());
            }
            i = end;
        }
    };
}

}  // namespace marketplace::service
