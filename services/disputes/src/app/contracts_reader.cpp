#include "app/contracts_reader.hpp"

#include <grpcpp/channel.h>

#include "marketplace/core/errors.hpp"
#include "marketplace/rpc/client.hpp"

namespace marketplace::disputes {
namespace {

[[noreturn]] void Raise(const grpc::Status& status, const std::string& what) {
    switch (status.error_code()) {
        case grpc::StatusCode::NOT_FOUND:
        case grpc::StatusCode::PERMISSION_DENIED:
            throw core::NotFound("milestone not found");
        case grpc::StatusCode::UNAUTHENTICATED:
            throw core::Unauthenticated("the token was refused by contracts");
        default:
            throw core::Unavailable("contracts could not be asked for the " + what + ": " + status.error_message());
    }
}

}  // namespace

GrpcContractsReader::GrpcContractsReader(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout)
    : stub_(contracts::v1::ContractsService::NewStub(std::move(channel))), timeout_(timeout) {}

MilestoneFacts GrpcContractsReader::Milestone(const std::string& milestone_id, const std::string& bearer_token) {
    MilestoneFacts facts;
    {
        grpc::ClientContext ctx;
        rpc::PrepareClientContext(ctx, {.deadline = std::chrono::system_clock::now() + timeout_,
                                        .idempotency_key = {},
                                        .bearer_token = bearer_token});
        contracts::v1::GetMilestoneRequest req;
        req.set_milestone_id(milestone_id);
        contracts::v1::GetMilestoneResponse resp;
        const auto status = stub_->GetMilestone(&ctx, req, &resp);
        if (!status.ok()) Raise(status, "milestone");
        const auto& m = resp.milestone();
        facts.milestone_id = m.milestone_id();
        facts.contract_id = m.contract_id();
        facts.state = m.state();
        facts.amount = m.amount().minor_units();
        facts.currency = m.amount().currency();
    }
    const auto contract = Contract(facts.contract_id, bearer_token);
    facts.client_id = contract.client_id();
    facts.freelancer_id = contract.freelancer_id();
    facts.caller_role = contract.caller_role();
    return facts;
}

contracts::v1::Contract GrpcContractsReader::Contract(const std::string& contract_id, const std::string& bearer_token) {
    grpc::ClientContext ctx;
    rpc::PrepareClientContext(
        ctx,
        {.deadline = std::chrono::system_clock::now() + timeout_, .idempotency_key = {}, .bearer_token = bearer_token});
    contracts::v1::GetContractRequest req;
    req.set_contract_id(contract_id);
    contracts::v1::GetContractResponse resp;
    const auto status = stub_->GetContract(&ctx, req, &resp);
    if (!status.ok()) Raise(status, "contract");
    return std::move(*resp.mutable_contract());
}

contracts::v1::PartyRole GrpcContractsReader::CallerRole(const std::string& contract_id,
                                                         const std::string& bearer_token) {
    try {
        return Contract(contract_id, bearer_token).caller_role();
    } catch (const core::NotFound&) {
        return contracts::v1::PARTY_ROLE_UNSPECIFIED;
    }
}

}  // namespace marketplace::disputes
