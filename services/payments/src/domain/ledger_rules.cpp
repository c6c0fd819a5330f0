#include "domain/ledger_rules.hpp"

#include "marketplace/core/money.hpp"

namespace marketplace::payments {

namespace {

std::string LegField(const std::string& field, std::size_t i, const char* part) {
    return field + "[" + std::to_string(i) + "]." + part;
}

}  // namespace

std::string InsufficientFundsText(std::int64_t available, std::int64_t needed, const std::string& currency) {
    const auto c = core::Currency::Parse(currency);
    return "insufficient funds: available " + core::Money(available, c).ToString() + ", needed " +
           core::Money(needed, c).ToString();
}

InsufficientFunds::InsufficientFunds(std::size_t leg, AccountState account, std::int64_t available, std::int64_t needed)
    : core::Error(core::ErrorCode::kFailedPrecondition, InsufficientFundsText(available, needed, account.currency),
                  "leg " + std::to_string(leg) + " overdraws account " + std::to_string(account.id) + " (" +
                      std::string(AccountKindName(account.kind)) + " " + account.owner + ")"),
      leg_(leg),
      account_(std::move(account)),
      available_(available),
      needed_(needed) {}

void ValidateLegs(const std::vector<Leg>& legs, const std::string& field) {
    if (legs.empty()) throw core::InvalidArgument(field, "must hold at least one transfer");
    for (std::size_t i = 0; i < legs.size(); ++i) {
        const Leg& leg = legs[i];
        if (leg.amount <= 0) throw core::InvalidArgument(LegField(field, i, "amount"), "must be > 0");
        if (!core::Currency::IsKnown(leg.currency)) {
            throw core::InvalidArgument(LegField(field, i, "currency"),
                                        "unknown ISO-4217 currency '" + leg.currency.substr(0, 16) + "'");
        }
        if (leg.debit_account == leg.credit_account) {
            throw core::InvalidArgument(LegField(field, i, "credit_account"), "must differ from the debited account");
        }
    }
}

std::map<std::int64_t, std::int64_t> PlanPosting(const std::vector<Leg>& legs,
                                                 const std::map<std::int64_t, AccountState>& accounts,
                                                 const std::string& field) {
    ValidateLegs(legs, field);
    std::map<std::int64_t, std::int64_t> running;  // account -> balance after the legs so far
    std::map<std::int64_t, std::int64_t> delta;
    auto state_of = [&](std::int64_t id, std::size_t i, const char* part) -> const AccountState& {
        const auto it = accounts.find(id);
        if (it == accounts.end()) {
            throw core::InvalidArgument(LegField(field, i, part), "unknown account " + std::to_string(id));
        }
        return it->second;
    };
    for (std::size_t i = 0; i < legs.size(); ++i) {
        const Leg& leg = legs[i];
        const AccountState& debit = state_of(leg.debit_account, i, "debit_account");
        const AccountState& credit = state_of(leg.credit_account, i, "credit_account");
        if (debit.currency != leg.currency || credit.currency != leg.currency) {
            throw core::InvalidArgument(LegField(field, i, "currency"), "mixed currencies: " + leg.currency +
                                                                            " between accounts in " + debit.currency +
                                                                            " and " + credit.currency);
        }
        auto debit_it = running.try_emplace(debit.id, debit.balance).first;
        const std::int64_t available = debit_it->second;
        if (debit.guarded && available < leg.amount) throw InsufficientFunds(i, debit, available, leg.amount);
        const std::string amount_field = LegField(field, i, "amount");
        debit_it->second = core::CheckedSub(available, leg.amount, amount_field);
        auto credit_it = running.try_emplace(credit.id, credit.balance).first;
        credit_it->second = core::CheckedAdd(credit_it->second, leg.amount, amount_field);
        delta[debit.id] = core::CheckedSub(delta[debit.id], leg.amount, amount_field);
        delta[credit.id] = core::CheckedAdd(delta[credit.id], leg.amount, amount_field);
    }
    return delta;
}

}  // namespace marketplace::payments
