#pragma once
// The outside world's money: card deposits and bank payouts go through a PaymentProvider. A
// submission only asks; the provider answers later through the signed webhook
// (HandleProviderWebhook), which is what moves money in the ledger. Submissions are retried until
// they are accepted, so a provider must treat a repeated id as the same request.
#include <string>

#include "marketplace/core/money.hpp"

namespace marketplace::payments {

struct DepositInstruction {
    std::string deposit_id;  // our id: the provider echoes it as the event's reference
    std::string user_id;
    core::Money amount;
};

struct PayoutInstruction {
    std::string payout_id;
    std::string user_id;
    core::Money amount;
};

class PaymentProvider {
public:
    virtual ~PaymentProvider() = default;
    /// A short name stored with each deposit and payout ("sandbox").
    virtual std::string name() const = 0;
    /// Asks the provider to collect `deposit`. Throws when the request did not get through (the
    /// caller retries later with the same id).
    virtual void SubmitDeposit(const DepositInstruction& deposit) = 0;
    /// Asks the provider to pay `payout` out to the user's bank. Throws as SubmitDeposit does.
    virtual void SubmitPayout(const PayoutInstruction& payout) = 0;
};

}  // namespace marketplace::payments
