#pragma once
// Money as it arrives on the wire (possibly absent, possibly with an unknown currency), and the
// checks that turn it into core::Money.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "marketplace/core/money.hpp"

namespace marketplace::jobs {

struct MoneyInput {
    bool present = false;
    std::int64_t minor_units = 0;
    std::string currency;

    static MoneyInput Of(std::int64_t minor_units, std::string currency) {
        return MoneyInput{true, minor_units, std::move(currency)};
    }
    static MoneyInput From(const core::Money& money) {
        return MoneyInput{true, money.minor_units(), std::string(money.currency().code())};
    }
};

/// A present amount in a known currency ("<field>.currency: ..." otherwise) that is > 0 ("<field>: must be > 0").
core::Money RequirePositiveMoney(std::string_view field, const MoneyInput& input);

/// The same when present; nullopt when absent.
std::optional<core::Money> OptionalPositiveMoney(std::string_view field, const MoneyInput& input);

}  // namespace marketplace::jobs
