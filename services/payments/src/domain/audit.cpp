#include "domain/audit.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace marketplace::payments {

std::string_view InvariantName(Invariant invariant) {
    switch (invariant) {
        case Invariant::kCurrencyBalanced:
            return "currency_balanced";
        case Invariant::kGuardedNotNegative:
            return "guarded_not_negative";
        case Invariant::kBalanceMatchesTransfers:
            return "balance_matches_transfers";
        case Invariant::kSettledEscrowZero:
            return "settled_escrow_zero";
        case Invariant::kEscrowSettledOnce:
            return "escrow_settled_once";
        case Invariant::kFundedEscrowHoldsAmount:
            return "funded_escrow_holds_amount";
    }
    return "unknown";
}

std::string Int128ToString(Int128 value) {
    if (value == 0) return "0";
    const bool negative = value < 0;
    std::string digits;
    while (value != 0) {
        const int d = static_cast<int>(value % 10);
        digits.push_back(static_cast<char>('0' + (negative ? -d : d)));
        value /= 10;
    }
    if (negative) digits.push_back('-');
    std::reverse(digits.begin(), digits.end());
    return digits;
}

Int128 ParseInt128(std::string_view text) {
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    if (text.empty() || text.size() > 38) throw std::invalid_argument("not an integer");
    Int128 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') throw std::invalid_argument("not an integer");
        value = value * 10 + (c - '0');
    }
    return negative ? -value : value;
}

std::vector<Violation> FindViolations(const std::vector<AuditedAccount>& accounts,
                                      const std::vector<AuditedEscrow>& escrows) {
    std::vector<Violation> out;
    std::map<std::string, Int128> per_currency;
    for (const auto& a : accounts) per_currency[a.currency] += a.stored;
    for (const auto& [currency, sum] : per_currency) {
        if (sum != 0) {
            out.push_back({Invariant::kCurrencyBalanced, currency, 0, "", "",
                           "the " + currency + " balances sum to " + Int128ToString(sum) + " minor units, not 0"});
        }
    }
    for (const auto& a : accounts) {
        if (a.guarded && a.stored < 0) {
            out.push_back({Invariant::kGuardedNotNegative, a.currency, a.id, a.kind, a.owner,
                           "guarded account is at " + std::to_string(a.stored) + " minor units"});
        }
        if (static_cast<Int128>(a.stored) != a.recomputed) {
            out.push_back({Invariant::kBalanceMatchesTransfers, a.currency, a.id, a.kind, a.owner,
                           "stored balance " + std::to_string(a.stored) + " but the transfers give " +
                               Int128ToString(a.recomputed)});
        }
    }
    for (const auto& e : escrows) {
        const auto violation = [&](Invariant invariant, std::string detail) {
            out.push_back({invariant, e.currency, e.account_id, "milestone_escrow", e.milestone_id, std::move(detail)});
        };
        if (e.settlement_operations > 1) {
            violation(Invariant::kEscrowSettledOnce, "debited by " + std::to_string(e.settlement_operations) +
                                                         " operations (released or refunded twice)");
        }
        if (!e.has_record) {
            if (e.balance != 0 || e.funding_operations != 0) {
                violation(Invariant::kFundedEscrowHoldsAmount,
                          "escrow account without an escrow record holds " + std::to_string(e.balance) +
                              " minor units after " + std::to_string(e.funding_operations) + " funding operations");
            }
            continue;
        }
        if (e.state == "funded") {
            if (e.balance != e.amount || e.funding_operations != 1 || e.settlement_operations != 0) {
                violation(Invariant::kFundedEscrowHoldsAmount,
                          "funded escrow of " + std::to_string(e.amount) + " holds " + std::to_string(e.balance) +
                              " after " + std::to_string(e.funding_operations) + " funding and " +
                              std::to_string(e.settlement_operations) + " settlement operations");
            }
        } else {
            if (e.balance != 0) {
                violation(Invariant::kSettledEscrowZero,
                          e.state + " escrow still holds " + std::to_string(e.balance) + " minor units");
            }
            if (e.funding_operations != 1) {
                violation(Invariant::kFundedEscrowHoldsAmount,
                          e.state + " escrow was funded by " + std::to_string(e.funding_operations) + " operations");
            }
            if (e.settlement_operations == 0) {
                violation(Invariant::kEscrowSettledOnce, e.state + " escrow was never debited");
            }
        }
    }
    return out;
}

}  // namespace marketplace::payments
