#include "domain/amount.hpp"

#include <string>

#include "marketplace/core/errors.hpp"

namespace marketplace::payments {

core::Money ValidateAmount(std::int64_t minor_units, std::string_view currency, std::string_view field,
                           std::int64_t max_minor_units) {
    const std::string base(field);
    if (currency.empty()) throw core::InvalidArgument(base + ".currency", "is required");
    const auto parsed = core::Currency::Parse(currency, base + ".currency");
    if (minor_units <= 0) throw core::InvalidArgument(base + ".minor_units", "must be > 0");
    if (minor_units > max_minor_units) {
        throw core::InvalidArgument(base + ".minor_units",
                                    "must be <= " + std::to_string(max_minor_units) + " (the maximum amount)");
    }
    return core::Money(minor_units, parsed);
}

}  // namespace marketplace::payments
