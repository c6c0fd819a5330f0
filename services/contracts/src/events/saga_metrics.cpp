#include "events/saga_metrics.hpp"

#include <algorithm>

#include "marketplace/db/statements.hpp"
#include "marketplace/metrics/metrics.hpp"
#include "marketplace/service/after_commit.hpp"

namespace marketplace::contracts {
namespace {

const metrics::HistogramFamily& StepDurations() {
    static const metrics::HistogramFamily family(
        "marketplace_saga_step_duration_seconds",
        "Time a milestone saga step took, from the transition that began it to the one that ended it.",
        metrics::StepBuckets());
    return family;
}

}  // namespace

void NoteSagaStep(pqxx::work& tx, const std::string& milestone_id, const char* step, const char* from_state) {
    // The transition this transaction wrote (xmin is the writing transaction), and the latest
    // earlier one into the step's starting state.
    const auto r =
        db::Exec(tx,
                 "SELECT extract(epoch FROM t.at - s.at)::float8 FROM milestone_transitions t "
                 "JOIN LATERAL (SELECT at FROM milestone_transitions s WHERE s.milestone_id = t.milestone_id "
                 "              AND s.to_state = t.from_state AND s.id < t.id ORDER BY s.id DESC LIMIT 1) s ON true "
                 "WHERE t.milestone_id = $1::uuid AND t.from_state = $2 AND t.xmin = pg_current_xact_id()::xid "
                 "ORDER BY t.id DESC LIMIT 1",
                 milestone_id, std::string(from_state));
    if (r.empty()) return;
    const double seconds = std::max(0.0, r[0][0].as<double>());
    service::AfterCommit(tx, [step = std::string(step), seconds] {
        StepDurations().Observe({{"step", step}}, seconds);
    });
}

}  // namespace marketplace::contracts
