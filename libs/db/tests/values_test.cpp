#include <catch2/catch.hpp>

#include "marketplace/db/values.hpp"

namespace db = marketplace::db;

TEST_CASE("LockClause names the lock strength, the locked table of a join and NOWAIT", "[db][values]") {
    CHECK(db::LockClause(db::RowLock::kNone).empty());
    CHECK(db::LockClause(db::RowLock::kNone, "m").empty());
    CHECK(db::LockClause(db::RowLock::kShare) == " FOR SHARE");
    CHECK(db::LockClause(db::RowLock::kUpdate) == " FOR UPDATE");
    CHECK(db::LockClause(db::RowLock::kUpdateNoWait) == " FOR UPDATE NOWAIT");
    CHECK(db::LockClause(db::RowLock::kShare, "j") == " FOR SHARE OF j");
    CHECK(db::LockClause(db::RowLock::kUpdate, "m") == " FOR UPDATE OF m");
    CHECK(db::LockClause(db::RowLock::kUpdateNoWait, "m") == " FOR UPDATE OF m NOWAIT");
}

TEST_CASE("Times travel as microseconds since the epoch both ways", "[db][values]") {
    CHECK(db::MicrosOf("m.paid_at") == "(extract(epoch FROM m.paid_at) * 1000000)::bigint");
    CHECK(db::TimeFromMicrosParam(3) == "('epoch'::timestamptz + $3::bigint * interval '1 microsecond')");
    const auto t = db::TimeFromMicros(1'796'000'000'123'456);
    CHECK(db::MicrosSinceEpoch(t) == 1'796'000'000'123'456);
    CHECK(db::MicrosSinceEpoch(db::TimeFromMicros(-1)) == -1);
    CHECK(db::TimeParam(db::TimeFromMicros(0)) == "1970-01-01T00:00:00.000000Z");
}
