#pragma once
// Values between the domain and the API's protobuf messages, written once for every service:
// money (marketplace.common.v1.Money) and times (google.protobuf.Timestamp). Readers name the
// field in their errors (core::InvalidArgument), so a caller learns which field was wrong.
#include <cstdint>
#include <string_view>

#include "marketplace/common/v1/money.pb.h"

#include "marketplace/core/clock.hpp"
#include "marketplace/core/micros.hpp"
#include "marketplace/core/money.hpp"

namespace google::protobuf {
class Timestamp;
}  // namespace google::protobuf

namespace marketplace::wire {

using TimePoint = core::Clock::TimePoint;

void ToProto(const core::Money& money, common::v1::Money* out);
/// Money kept as minor units and a currency code (a ledger row), as a message.
common::v1::Money ProtoMoney(std::int64_t minor_units, std::string_view currency);
/// The money in `in`; InvalidArgument("<field>.currency") when its currency is not a known ISO-4217 code.
core::Money MoneyFrom(const common::v1::Money& in, std::string_view field);

/// A time at microsecond precision (what PostgreSQL keeps, so an answer matches a later read),
/// rounded down; nanos are never negative, as Timestamp requires.
void ToProto(TimePoint t, google::protobuf::Timestamp* out);
/// A time given as microseconds since the epoch.
void TimestampFromMicros(std::int64_t micros, google::protobuf::Timestamp* out);
/// The time in `in`, at microsecond precision; InvalidArgument(field) when it is outside
/// Timestamp's range (0001-01-01 to 9999-12-31) or its nanos are not within 0..999,999,999.
TimePoint TimeFrom(const google::protobuf::Timestamp& in, std::string_view field);

}  // namespace marketplace::wire
