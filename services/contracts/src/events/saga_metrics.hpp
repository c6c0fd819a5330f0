#pragma once
// marketplace_saga_step_duration_seconds{step}: how long a milestone's saga step took, from the
// transition that started it to the one that finished it (both on the service's clock, as
// milestone_transitions records them). Observed once the finishing transaction has committed.
//   fund:    funding_pending -> funded or funding_required (EscrowFunded / EscrowFundingFailed)
//   release: accepted -> paid (EscrowReleased)
//   refund:  cancel_pending -> cancelled (EscrowRefunded)
#include <pqxx/transaction>
#include <string>

namespace marketplace::contracts {

/// After the workflow handled an event in `tx`: when `tx` moved the milestone out of `from_state`,
/// observes `step` with the time the milestone spent in `from_state`, after the commit.
void NoteSagaStep(pqxx::work& tx, const std::string& milestone_id, const char* step, const char* from_state);

}  // namespace marketplace::contracts
