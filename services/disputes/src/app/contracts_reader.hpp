#pragma once
// What disputes asks contracts: before opening a dispute, the milestone (its state, amount and
// contract) and the contract's parties; before a caller who is neither party nor staff acts on a
// dispute, which side of its contract they act for (a clan's HEAD, CO_HEAD and ADMINs act for the
// clan). Read over gRPC with the caller's own token, so contracts' visibility rules and its read
// model of clans' rosters answer for who may see and act.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "marketplace/contracts/v1/contracts.grpc.pb.h"

namespace marketplace::disputes {

struct MilestoneFacts {
    std::string milestone_id;
    std::string contract_id;
    std::string client_id;
    std::string freelancer_id;
    // The caller's side as contracts reports it: CLIENT, FREELANCER (a clan's HEAD, CO_HEAD, ADMIN
    // too), or UNSPECIFIED for a reader who does not act (a clan's MEMBER, an admin).
    contracts::v1::PartyRole caller_role = contracts::v1::PARTY_ROLE_UNSPECIFIED;
    contracts::v1::MilestoneState state = contracts::v1::MILESTONE_STATE_UNSPECIFIED;
    std::int64_t amount = 0;
    std::string currency;
};

class ContractsReader {
public:
    virtual ~ContractsReader() = default;
    /// Throws core::NotFound when contracts does not show the milestone to the caller,
    /// core::Unavailable when contracts cannot be reached.
    virtual MilestoneFacts Milestone(const std::string& milestone_id, const std::string& bearer_token) = 0;
    /// The caller's side on the contract, as contracts reports it; UNSPECIFIED when contracts does
    /// not show the contract to the caller. Throws core::Unavailable when contracts cannot be reached.
    virtual contracts::v1::PartyRole CallerRole(const std::string& contract_id, const std::string& bearer_token) = 0;
};

/// The gRPC implementation (CONTRACTS_GRPC_TARGET).
class GrpcContractsReader final : public ContractsReader {
public:
    GrpcContractsReader(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
    MilestoneFacts Milestone(const std::string& milestone_id, const std::string& bearer_token) override;
    contracts::v1::PartyRole CallerRole(const std::string& contract_id, const std::string& bearer_token) override;

private:
    /// The contract as contracts shows it to the caller; raises as Raise() says.
    contracts::v1::Contract Contract(const std::string& contract_id, const std::string& bearer_token);

    std::unique_ptr<contracts::v1::ContractsService::Stub> stub_;
    std::chrono::milliseconds timeout_;
};

}  // namespace marketplace::disputes
