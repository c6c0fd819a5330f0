#pragma once
// The steps of the money path's stories, as a client, a freelancer and an admin take them over gRPC.
// Shared by the end-to-end tests and the demo. Each step throws with the services' logs on failure.
#include <cstdint>
#include <string>
#include <vector>

#include "money_stack.hpp"

namespace marketplace::e2e {

MoneyStack& S();
common::v1::Money Eur(std::int64_t minor);
std::string PostJob(const User& client, const std::string& title);
/// A proposal for the job with one milestone per amount; its total is their sum (saturating at INT64_MAX).
jobs::v1::SubmitProposalRequest Plan(const std::string& job_id, const std::vector<std::int64_t>& amounts);
/// A contract from a fresh job and proposal, signed by both parties.
contracts::v1::Contract SignedContract(const User& client, const User& freelancer,
                                       const std::vector<std::int64_t>& amounts);
payments::v1::CurrencyBalance Balance(const User& user);
/// Deposits through the sandbox provider and waits for the signed webhook to credit it.
void Deposit(const User& client, std::int64_t minor);
contracts::v1::Milestone Milestone(const User& user, const std::string& id);
contracts::v1::Milestone WaitState(const User& user, const std::string& id, contracts::v1::MilestoneState state,
                                   std::chrono::milliseconds poll = std::chrono::milliseconds(50));
grpc::Status Fund(const User& client, const std::string& milestone, const std::string& key);
grpc::Status Submit(const User& freelancer, const std::string& milestone);
grpc::Status Accept(const User& client, const std::string& milestone, const std::string& key = MoneyStack::NewKey());
/// What the ledger audit reports broken ("" when healthy).
std::string LedgerViolations();

/// A contract with one milestone of `amount`, the client holding `deposit`.
struct Deal {
    User client, freelancer;
    contracts::v1::Contract contract;
    std::string milestone;  // the first
};
/// With `milestones` milestones of `amount` each.
Deal NewDeal(std::int64_t amount, std::int64_t deposit, int milestones = 1);
void FundAndSubmit(const Deal& d);

}  // namespace marketplace::e2e
