#include "events/consumers.hpp"

#include <chrono>

#include "marketplace/core/log.hpp"
#include "marketplace/example/v1/events.pb.h"
#include "marketplace/jobs/v1/events.pb.h"
#include "storage/activity_store.hpp"

namespace marketplace::example {

service::EventRouter EventConsumers::Router() const {
    service::EventRouter router;
    router.On<jobs::v1::JobPosted>([this](pqxx::work& tx, const jobs::v1::JobPosted& e) {
        const auto now = std::chrono::floor<std::chrono::microseconds>(runtime_.clock()->Now());
        const auto activity = storage::RecordJob(tx, e.client_id(), e.job_id(), e.title(), now);
        // In the same transaction as the change: the outbox publishes it once the handler commits.
        v1::ClientActivityChanged changed;
        changed.set_client_id(activity.client_id);
        changed.set_jobs_posted(activity.jobs_posted);
        changed.set_job_id(e.job_id());
        runtime_.Publish(tx, activity.client_id, changed);
        core::log::Info("job counted", {{"client_id", activity.client_id}, {"job_id", e.job_id()}});
    });
    return router;
}

void EventConsumers::Register(service::Runtime& runtime) const { runtime.Consume(Router()); }

}  // namespace marketplace::example
