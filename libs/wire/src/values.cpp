#include "marketplace/wire/values.hpp"

#include <google/protobuf/timestamp.pb.h>

#include <string>

#include "marketplace/core/errors.hpp"

namespace marketplace::wire {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
// Timestamp's valid range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
constexpr std::int64_t kMinSeconds = -62'135'596'800;
constexpr std::int64_t kMaxSeconds = 253'402'300'799;

}  // namespace

void ToProto(const core::Money& money, common::v1::Money* out) {
    out->set_minor_units(money.minor_units());
    out->set_currency(std::string(money.currency().code()));
}

common::v1::Money ProtoMoney(std::int64_t minor_units, std::string_view currency) {
    common::v1::Money m;
    m.set_minor_units(minor_units);
    m.set_currency(std::string(currency));
    return m;
}

core::Money MoneyFrom(const common::v1::Money& in, std::string_view field) {
    return core::Money(in.minor_units(), core::Currency::Parse(in.currency(), std::string(field) + ".currency"));
}

void TimestampFromMicros(std::int64_t micros, google::protobuf::Timestamp* out) {
    std::int64_t seconds = micros / kMicrosPerSecond;
    std::int64_t rest = micros % kMicrosPerSecond;
    if (rest < 0) {
        rest += kMicrosPerSecond;
        seconds -= 1;
    }
    out->set_seconds(seconds);
    out->set_nanos(static_cast<std::int32_t>(rest * 1000));
}

void ToProto(TimePoint t, google::protobuf::Timestamp* out) {
    const auto micros = std::chrono::floor<std::chrono::microseconds>(t.time_since_epoch()).count();
    TimestampFromMicros(micros, out);
}

TimePoint TimeFrom(const google::protobuf::Timestamp& in, std::string_view field) {
    if (in.seconds() < kMinSeconds || in.seconds() > kMaxSeconds) {
        throw core::InvalidArgument(std::string(field), "must be between 0001-01-01 and 9999-12-31");
    }
    if (in.nanos() < 0 || in.nanos() > 999'999'999) {
        throw core::InvalidArgument(std::string(field), "nanos must be within 0..999999999");
    }
    return core::TimeFromMicros(in.seconds() * kMicrosPerSecond + in.nanos() / 1000);
}

}  // namespace marketplace::wire
