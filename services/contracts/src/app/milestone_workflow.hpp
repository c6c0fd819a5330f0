#pragma once
// Runs one milestone command inside the caller's transaction: lock the milestone's row, check who
// is asking, let the state machine decide, save, then carry out its effects (publish our events
// through the outbox, schedule or cancel the auto-release timer) in the same transaction.
// Used by the gRPC handlers (people), the payments event handlers and the auto-release timer.
#include <chrono>
#include <optional>
#include <pqxx/transaction>
#include <string>

#include "domain/milestone.hpp"
#include "marketplace/contracts/v1/events.pb.h"
#include "marketplace/service/runtime.hpp"
#include "storage/contract_store.hpp"

namespace marketplace::contracts {

/// The durable timer kind that accepts a submitted milestone on the client's behalf (key: milestone id).
inline constexpr char kAutoReleaseTimer[] = "milestone.auto_release";
/// The durable timer kind that gives up on a silent payments (key: milestone id, payload: the attempt).
inline constexpr char kFundingTimeoutTimer[] = "milestone.funding_timeout";
/// FUNDING_TIMEOUT's default: how long a funding attempt waits for payments' answer.
inline constexpr std::chrono::seconds kDefaultFundingTimeout{15 * 60};

/// Who calls, from the token.
struct Caller {
    std::string subject;
    std::string role;
};

struct CommandResult {
    Outcome outcome = Outcome::kIgnored;
    storage::MilestoneContext context;  // the milestone after the command
};

class MilestoneWorkflow final {
public:
    explicit MilestoneWorkflow(service::Runtime& runtime, std::chrono::seconds funding_timeout = kDefaultFundingTimeout)
        : runtime_(runtime), funding_timeout_(funding_timeout) {}

    /// A person's command. Throws core::NotFound when the milestone does not exist or the caller
    /// is not a party (admins: PermissionDenied), and whatever the state machine throws. A Fund
    /// command's `statement_signed` is filled in from the contract's signatures.
    CommandResult Run(pqxx::work& tx, const std::string& milestone_id, const Command& command,
                      const Caller& caller) const;

    /// A system command (payments' event, the auto-release timer); nullopt when the milestone is
    /// unknown. `lock` kForUpdateNoWait makes a busy row fail at once instead of waiting.
    std::optional<CommandResult> RunSystem(pqxx::work& tx, const std::string& milestone_id, const Command& command,
                                           storage::Lock lock = storage::Lock::kUpdate) const;

private:
    CommandResult Apply(pqxx::work& tx, storage::MilestoneContext ctx, const Command& command, Actor actor) const;
    void CarryOut(pqxx::work& tx, const storage::MilestoneContext& ctx, const Effect& effect) const;
    /// Fills `split` with the clan's payout plan in force and records its version on the milestone.
    /// Throws core::FailedPrecondition when no plan is known yet, and with `hold_for_departed` when
    /// someone the plan pays has left the clan (the release waits for a newer version).
    void AttachClanSplit(pqxx::work& tx, const storage::MilestoneContext& ctx, v1::ClanSplit& split,
                         bool hold_for_departed) const;

    service::Runtime& runtime_;
    std::chrono::seconds funding_timeout_;
};

}  // namespace marketplace::contracts
