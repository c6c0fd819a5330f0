#pragma once
// The proposal's use cases inside the caller's transaction: lock and load the job, the proposal
// and the clan's application, let the decider (domain/proposal.hpp) decide, save, then carry out
// its effects (record an agreement, decline the job's other proposals, publish ProposalSubmitted or
// ProposalAccepted through the outbox) in the same transaction. A clan's roster is asked from the
// clans service when a clan applies and when its proposal is accepted.
#include <memory>
#include <optional>
#include <string>

#include <pqxx/transaction>

#include "app/clans_reader.hpp"
#include "domain/proposal.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::jobs {

class ProposalWorkflow final {
public:
    /// `clans` answers who is in a clan; without it clans' applications are UNAVAILABLE.
    ProposalWorkflow(service::Runtime& runtime, std::shared_ptr<ClansReader> clans)
        : runtime_(runtime), clans_(std::move(clans)) {}

    /// The proposal after the command, its clan's application, the job (Accept) and how many other
    /// live proposals were declined (Accept).
    struct Result {
        Proposal proposal;
        std::optional<ClanApplication> application;
        std::optional<Job> job;
        int declined_proposals = 0;
    };

    /// The clan's roster as the clans service shows it now (with the caller's token).
    ClanRoster Roster(const std::string& clan_id, const std::string& bearer_token) const;

    /// `submit.roster` is the clan's roster when a clan applies (read before the transaction).
    Result Submit(pqxx::work& tx, const Caller& caller, const std::string& job_id,
                  proposal_command::Submit submit) const;
    Result Withdraw(pqxx::work& tx, const Caller& caller, const std::string& proposal_id) const;
    Result Agree(pqxx::work& tx, const Caller& caller, const std::string& proposal_id) const;
    /// Reads a clan's roster (in the transaction, rows locked) when the decider needs it.
    Result Accept(pqxx::work& tx, const Caller& caller, const std::string& proposal_id,
                  const std::string& bearer_token) const;

private:
    Result Apply(pqxx::work& tx, const ProposalState& state, const ProposalCommand& command,
                 const Caller& caller) const;

    service::Runtime& runtime_;
    std::shared_ptr<ClansReader> clans_;
};

}  // namespace marketplace::jobs
