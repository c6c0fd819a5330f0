#pragma once
// SQL for the log of the states each milestone entered (milestone_transitions, written by a trigger
// in the transaction that moves the milestone).
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/milestone.hpp"

namespace marketplace::contracts::storage {

struct TransitionRecord {
    std::optional<MilestoneState> from_state;  // empty for the state the milestone was created in
    MilestoneState to_state = MilestoneState::kFundingRequired;
    TimePoint at{};           // the service's clock
    TimePoint recorded_at{};  // the database's clock at the insert
};

/// Every state the milestone entered, oldest first.
std::vector<TransitionRecord> TransitionsOf(pqxx::work& tx, const std::string& milestone_id);

}  // namespace marketplace::contracts::storage
