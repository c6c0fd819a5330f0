#include "events/consumers.hpp"

#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "marketplace/messaging/timers.hpp"
#include "marketplace/payments/v1/events.pb.h"

namespace marketplace::disputes {
namespace {

/// An event naming no valid dispute can never apply.
void RequireDisputeId(const std::string& id, const char* event) {
    if (!core::IsUuid(id)) {
        throw messaging::PermanentError(std::string(event) + ": dispute_id '" + id.substr(0, 64) + "' is not a UUID");
    }
}

void WarnUnknown(const std::string& id, const char* event) {
    core::log::Warn("event for an unknown dispute ignored", {{"dispute_id", id}, {"event", event}});
}

}  // namespace

service::EventRouter EventConsumers::Router() const {
    service::EventRouter router;
    router.On<contracts::v1::MilestoneDisputed>([this](pqxx::work& tx, const contracts::v1::MilestoneDisputed& e) {
        RequireDisputeId(e.dispute_id(), "MilestoneDisputed");
        if (!flows_.ActSystem(tx, e.dispute_id(), command::Confirmed{}))
            WarnUnknown(e.dispute_id(), "MilestoneDisputed");
    });
    router.On<contracts::v1::MilestoneDisputeRefused>(
        [this](pqxx::work& tx, const contracts::v1::MilestoneDisputeRefused& e) {
            RequireDisputeId(e.dispute_id(), "MilestoneDisputeRefused");
            if (!flows_.ActSystem(tx, e.dispute_id(), command::Refused{e.reason()})) {
                WarnUnknown(e.dispute_id(), "MilestoneDisputeRefused");
            }
        });
    router.On<payments::v1::EscrowSettled>([this](pqxx::work& tx, const payments::v1::EscrowSettled& e) {
        RequireDisputeId(e.dispute_id(), "EscrowSettled");
        if (!flows_.ActSystem(tx, e.dispute_id(), command::Settled{})) WarnUnknown(e.dispute_id(), "EscrowSettled");
    });
    return router;
}

void EventConsumers::Register(service::Runtime& runtime) const {
    runtime.Consume(Router());
    runtime.OnTimer(kDeadlineTimer,
                    [this](pqxx::work& tx, const messaging::Timer& timer) { flows_.OnDeadline(tx, timer.key); });
    runtime.OnTimer(kReminderTimer,
                    [this](pqxx::work& tx, const messaging::Timer& timer) { flows_.OnReminder(tx, timer.key); });
}

}  // namespace marketplace::disputes
