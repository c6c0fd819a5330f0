#include <google/protobuf/timestamp.pb.h>

#include <catch2/catch.hpp>

#include "marketplace/common/v1/money.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/wire/values.hpp"

namespace core = marketplace::core;
namespace wire = marketplace::wire;

TEST_CASE("Money goes to the wire and back, and an unknown currency names the field", "[wire]") {
    marketplace::common::v1::Money m;
    wire::ToProto(core::Money(123'45, core::Currency::Parse("EUR")), &m);
    CHECK(m.minor_units() == 12345);
    CHECK(m.currency() == "EUR");
    const auto back = wire::MoneyFrom(m, "amount");
    CHECK(back.minor_units() == 12345);
    CHECK(back.currency().code() == "EUR");

    const auto ledger = wire::ProtoMoney(-250, "USD");
    CHECK(ledger.minor_units() == -250);
    CHECK(ledger.currency() == "USD");

    m.set_currency("XXQ");
    try {
        wire::MoneyFrom(m, "milestones[2].amount");
        FAIL("an unknown currency was accepted");
    } catch (const core::InvalidArgument& e) {
        CHECK(e.field() == "milestones[2].amount.currency");
    }
}

TEST_CASE("Times go to the wire at microsecond precision, before 1970 too", "[wire]") {
    google::protobuf::Timestamp ts;
    const auto t = core::TimeFromMicros(1'796'000'000'123'456) + std::chrono::nanoseconds(789);
    wire::ToProto(t, &ts);
    CHECK(ts.seconds() == 1'796'000'000);
    CHECK(ts.nanos() == 123'456'000);  // the 789 ns PostgreSQL would not keep are dropped
    CHECK(wire::TimeFrom(ts, "at") == core::TimeFromMicros(1'796'000'000'123'456));

    wire::TimestampFromMicros(-1, &ts);  // 1969-12-31T23:59:59.999999Z
    CHECK(ts.seconds() == -1);
    CHECK(ts.nanos() == 999'999'000);
    CHECK(core::MicrosSinceEpoch(wire::TimeFrom(ts, "at")) == -1);

    wire::ToProto(core::TimeFromMicros(-1) - std::chrono::nanoseconds(1), &ts);  // rounded down, not toward zero
    CHECK(ts.seconds() == -1);
    CHECK(ts.nanos() == 999'998'000);
}

TEST_CASE("A time outside Timestamp's range or with bad nanos is refused naming the field", "[wire]") {
    google::protobuf::Timestamp ts;
    ts.set_seconds(253'402'300'800);  // 10000-01-01
    try {
        wire::TimeFrom(ts, "due_date");
        FAIL("a year-10000 time was accepted");
    } catch (const core::InvalidArgument& e) {
        CHECK(e.field() == "due_date");
    }
    ts.set_seconds(0);
    ts.set_nanos(-5);
    CHECK_THROWS_AS(wire::TimeFrom(ts, "due_date"), core::InvalidArgument);
    ts.set_nanos(1'000'000'000);
    CHECK_THROWS_AS(wire::TimeFrom(ts, "due_date"), core::InvalidArgument);
    ts.set_nanos(999'999'999);
    CHECK(core::MicrosSinceEpoch(wire::TimeFrom(ts, "due_date")) == 999'999);
}
