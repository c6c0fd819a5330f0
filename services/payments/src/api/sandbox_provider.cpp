#include "api/sandbox_provider.hpp"

#include <grpcpp/grpcpp.h>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/rpc/client.hpp"

namespace marketplace::payments {
namespace log = core::log;

SandboxProvider::SandboxProvider(std::string webhook_secret, std::shared_ptr<const core::Clock> clock,
                                 std::string target)
    : secret_(std::move(webhook_secret)), clock_(std::move(clock)), target_(std::move(target)) {}

void SandboxProvider::SetTarget(std::string target) {
    std::lock_guard lock(mu_);
    target_ = std::move(target);
    stub_.reset();
}

std::string SandboxProvider::EventId(const std::string& kind, const std::string& reference) {
    return "sbx_" + kind + "_" + reference;
}

void SandboxProvider::SubmitDeposit(const DepositInstruction& deposit) {
    const std::int64_t suffix = deposit.amount.minor_units() % 1000;
    if (suffix == kNoAnswerSuffix) {
        log::Info("sandbox: deposit left unanswered", {{"deposit_id", deposit.deposit_id}});
        return;
    }
    ProviderEvent event;
    event.id = EventId("deposit", deposit.deposit_id);
    event.type = suffix == kDeclineSuffix ? ProviderEventType::kDepositFailed : ProviderEventType::kDepositSucceeded;
    event.reference = deposit.deposit_id;
    event.minor_units = deposit.amount.minor_units();
    event.currency = std::string(deposit.amount.currency().code());
    if (suffix == kDeclineSuffix) event.failure_reason = "card declined (sandbox)";
    Deliver(event);
}

void SandboxProvider::SubmitPayout(const PayoutInstruction& payout) {
    const std::int64_t suffix = payout.amount.minor_units() % 1000;
    if (suffix == kNoAnswerSuffix) {
        log::Info("sandbox: payout left unanswered", {{"payout_id", payout.payout_id}});
        return;
    }
    ProviderEvent event;
    event.id = EventId("payout", payout.payout_id);
    event.type = suffix == kDeclineSuffix ? ProviderEventType::kPayoutFailed : ProviderEventType::kPayoutPaid;
    event.reference = payout.payout_id;
    event.minor_units = payout.amount.minor_units();
    event.currency = std::string(payout.amount.currency().code());
    if (suffix == kDeclineSuffix) event.failure_reason = "bank account closed (sandbox)";
    Deliver(event);
}

void SandboxProvider::Deliver(const ProviderEvent& original) {
    ProviderEvent event = original;
    const auto now = clock_->Now();
    event.created = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::string body = EncodeProviderEvent(event);

    v1::HandleProviderWebhookRequest request;
    request.set_body(body);
    request.set_signature(SignWebhook(secret_, event.created, body));
    request.set_provider(name());
    v1::HandleProviderWebhookResponse response;
    grpc::ClientContext context;
    rpc::PrepareClientContext(context, std::chrono::system_clock::now() + std::chrono::seconds(10));
    std::shared_ptr<v1::PaymentsService::Stub> stub;
    {
        std::lock_guard lock(mu_);
        if (!stub_) {
            rpc::ChannelOptions options;
            options.target = target_;
            stub_ = v1::PaymentsService::NewStub(rpc::CreateChannel(options));
        }
        stub = stub_;
    }
    const grpc::Status status = stub->HandleProviderWebhook(&context, request, &response);
    if (!status.ok()) {
        throw core::Unavailable("sandbox webhook " + event.id + " was not accepted: " + status.error_message(),
                                "sandbox webhook " + event.id + " failed with code " +
                                    std::to_string(static_cast<int>(status.error_code())) + ": " +
                                    status.error_message());
    }
    log::Info("sandbox webhook delivered",
              {{"provider_event_id", event.id}, {"type", ProviderEventTypeName(event.type)}});
}

}  // namespace marketplace::payments
