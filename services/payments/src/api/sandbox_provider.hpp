#pragma once
// The local stand-in for a card and bank provider. It never touches real money: a submission is
// answered by delivering a signed webhook to this service's own HandleProviderWebhook RPC, over
// gRPC, exactly as a real provider would call the HTTP route. Submissions run from durable timers
// after the order committed, so the answer always arrives asynchronously.
//
// Test conventions, by the amount's minor units modulo 1000:
//   666  the provider declines: deposit.failed / payout.failed
//   777  the provider never answers (the card holder abandoned the payment): the order stays
//        pending, and tests deliver their own webhooks for it
//   else deposit.succeeded / payout.paid
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "domain/payment_provider.hpp"
#include "domain/webhook.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/payments/v1/payments.grpc.pb.h"

namespace marketplace::payments {

class SandboxProvider final : public PaymentProvider {
public:
    static constexpr std::int64_t kDeclineSuffix = 666;
    static constexpr std::int64_t kNoAnswerSuffix = 777;

    SandboxProvider(std::string webhook_secret, std::shared_ptr<const core::Clock> clock, std::string target);

    /// Where the webhooks go ("127.0.0.1:7104"); tests set it once the server has its port.
    void SetTarget(std::string target);

    std::string name() const override { return "sandbox"; }
    void SubmitDeposit(const DepositInstruction& deposit) override;
    void SubmitPayout(const PayoutInstruction& payout) override;

    /// The sandbox's event id for an order: stable, so a resubmission delivers a duplicate.
    static std::string EventId(const std::string& kind, const std::string& reference);

private:
    /// Signs and delivers `event`; throws core::Unavailable when the call does not succeed.
    void Deliver(const ProviderEvent& event);

    std::string secret_;
    std::shared_ptr<const core::Clock> clock_;
    std::mutex mu_;
    std::string target_;
    std::shared_ptr<v1::PaymentsService::Stub> stub_;
};

}  // namespace marketplace::payments
