#pragma once
// Amounts that come from outside (requests, events): positive int64 minor units, at most the
// configured maximum, in a known ISO-4217 currency. Errors name the field: "amount.minor_units:
// must be > 0", "transfers[3].amount.currency: unknown ISO-4217 currency 'XXX'".
#include <cstdint>
#include <string_view>

#include "marketplace/core/money.hpp"

namespace marketplace::payments {

/// Validates and returns the amount; throws core::InvalidArgument naming `<field>.minor_units` or
/// `<field>.currency`.
core::Money ValidateAmount(std::int64_t minor_units, std::string_view currency, std::string_view field,
                           std::int64_t max_minor_units);

}  // namespace marketplace::payments
