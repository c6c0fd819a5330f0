#pragma once
// What disputes asks contracts before opening a dispute: the milestone (its state, amount and
// contract) and the contract's parties, read over gRPC with the caller's own token, so contracts'
// visibility rules answer for who may see the milestone.
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
};

/// The gRPC implementation (CONTRACTS_GRPC_TARGET).
class GrpcContractsReader final : public ContractsReader {
public:
    GrpcContractsReader(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
    MilestoneFacts Milestone(const std::string& milestone_id, const std::string& bearer_token) override;

private:
    std::unique_ptr<contracts::v1::ContractsService::Stub> stub_;
    std::chrono::milliseconds timeout_;
};

}  // namespace marketplace::disputes
