#pragma once
// Small conversions between C++ values and SQL text parameters and results.
#include <cstdint>
#include <string>
#include <string_view>

#include "marketplace/core/clock.hpp"

namespace marketplace::auth::storage {

/// A time as a timestamptz parameter ("...Z", microseconds).
std::string Ts(core::Clock::TimePoint t);
/// SQL that selects a timestamptz column as epoch microseconds: Micros("f.expires_at").
std::string Micros(std::string_view column);
core::Clock::TimePoint FromMicros(std::int64_t micros);
/// Bytes as lower-case hex, for decode($n, 'hex'); and back from encode(col, 'hex').
std::string Hex(std::string_view bytes);
std::string Unhex(std::string_view hex);

}  // namespace marketplace::auth::storage
