#pragma once
// Bytes as hex text for SQL parameters and results (times: marketplace/db/values.hpp).
#include <cstdint>
#include <string>
#include <string_view>

#include "marketplace/core/clock.hpp"

namespace marketplace::auth::storage {

/// Bytes as lower-case hex, for decode($n, 'hex'); and back from encode(col, 'hex').
std::string Hex(std::string_view bytes);
std::string Unhex(std::string_view hex);

}  // namespace marketplace::auth::storage
