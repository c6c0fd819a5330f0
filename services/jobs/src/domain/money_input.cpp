#include "domain/money_input.hpp"

#include "marketplace/core/errors.hpp"

namespace marketplace::jobs {

core::Money RequirePositiveMoney(std::string_view field, const MoneyInput& input) {
    if (!input.present) throw core::InvalidArgument(std::string(field), "is required");
    auto money = OptionalPositiveMoney(field, input);
    return *money;
}

std::optional<core::Money> OptionalPositiveMoney(std::string_view field, const MoneyInput& input) {
    if (!input.present) return std::nullopt;
    const auto currency = core::Currency::Parse(input.currency, std::string(field) + ".currency");
    if (input.minor_units <= 0) throw core::InvalidArgument(std::string(field), "must be > 0");
    return core::Money(input.minor_units, currency);
}

}  // namespace marketplace::jobs
