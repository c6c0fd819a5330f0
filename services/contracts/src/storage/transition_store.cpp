#include "storage/transition_store.hpp"

#include <stdexcept>

#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "storage/pg_values.hpp"

namespace marketplace::contracts::storage {
namespace {

MilestoneState StateOf(const pqxx::field& f) {
    const auto name = f.as<std::string>();
    const auto state = ParseState(name);
    if (!state) throw std::runtime_error("milestone_transitions holds an unknown state '" + name + "'");
    return *state;
}

}  // namespace

std::vector<TransitionRecord> TransitionsOf(pqxx::work& tx, const std::string& milestone_id) {
    const auto rows = db::Exec(tx,
                               "SELECT from_state, to_state, " + MicrosOf("at") + ", " + MicrosOf("recorded_at") +
                                   " FROM milestone_transitions WHERE milestone_id = $1 ORDER BY id",
                               milestone_id);
    std::vector<TransitionRecord> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        TransitionRecord t;
        if (!r[0].is_null()) t.from_state = StateOf(r[0]);
        t.to_state = StateOf(r[1]);
        t.at = TimeFromMicros(r[2].as<std::int64_t>());
        t.recorded_at = TimeFromMicros(r[3].as<std::int64_t>());
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace marketplace::contracts::storage
