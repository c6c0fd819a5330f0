#pragma once
// Times as microseconds since the epoch: PostgreSQL's precision, and how times travel between the
// database, the wire and the domain (marketplace/db/values.hpp, marketplace/wire/values.hpp).
#include <cstdint>

#include "marketplace/core/clock.hpp"

namespace marketplace::core {

/// Microseconds since the epoch, truncated toward zero.
std::int64_t MicrosSinceEpoch(Clock::TimePoint t);
/// The time `micros` microseconds after the epoch.
Clock::TimePoint TimeFromMicros(std::int64_t micros);

}  // namespace marketplace::core
