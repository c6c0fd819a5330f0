// db::Exec against the local stack's PostgreSQL: the same answers as exec_params, prepared once per
// connection, and bounded in how many texts a process prepares.
#include <catch2/catch.hpp>
#include <optional>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <string>

#include "marketplace/db/pool.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/testing/database.hpp"

namespace db = marketplace::db;
using marketplace::testing::TestDatabase;

namespace {

db::Pool& SharedPool() {
    static db::Pool pool([] {
        db::PgConfig config;
        config.conninfo = TestDatabase::Shared("db_statements_pgtest").conninfo();
        config.pool_size = 2;
        return config;
    }());
    return pool;
}

/// How many times the server has run the connection's prepared statement of `text` (0: not prepared).
long RunsOfPrepared(pqxx::transaction_base& tx, const std::string& text) {
    const auto r = tx.exec_params(
        "SELECT coalesce(sum(generic_plans + custom_plans), -1) FROM pg_prepared_statements WHERE statement = $1",
        text);
    return r[0][0].as<long>();
}

}  // namespace

TEST_CASE("Exec answers as exec_params does, with parameters and NULLs", "[db][pg]") {
    auto lease = SharedPool().Acquire();
    pqxx::work tx(*lease);
    const std::string sql = "SELECT $1::int + $2::int AS sum, $3::text IS NULL AS missing";
    const std::optional<std::string> none;
    const auto prepared = db::Exec(tx, sql, 2, 40, none);
    const auto plain = tx.exec_params(sql, 2, 40, none);
    REQUIRE(prepared.size() == 1);
    CHECK(prepared[0]["sum"].as<int>() == 42);
    CHECK(prepared[0]["sum"].as<int>() == plain[0]["sum"].as<int>());
    CHECK(prepared[0]["missing"].as<bool>());
    CHECK(db::Exec1(tx, "SELECT $1::text || 'b'", std::string("a"))[0].as<std::string>() == "ab");
    CHECK(db::Exec0(tx, "SELECT 1 WHERE $1::int > 1", 0).empty());
}

TEST_CASE("Exec prepares a text once per connection and then only runs it", "[db][pg]") {
    auto lease = SharedPool().Acquire();
    pqxx::work tx(*lease);
    const std::string sql = "SELECT count(*) FROM generate_series(1, $1::int)";
    for (int i = 1; i <= 3; ++i) CHECK(db::Exec1(tx, sql, i)[0].as<int>() == i);
    // One statement on the server, run three times.
    CHECK(RunsOfPrepared(tx, sql) == 3);
    const auto count = db::PreparedStatementCount();
    db::Exec1(tx, sql, 4);
    CHECK(db::PreparedStatementCount() == count);  // the same text keeps its name
}

TEST_CASE("Exec0 and Exec1 refuse an unexpected number of rows, as exec_params0/1 do", "[db][pg]") {
    auto lease = SharedPool().Acquire();
    pqxx::nontransaction tx(*lease);
    CHECK_THROWS_AS(db::Exec1(tx, "SELECT 1 WHERE $1::int = 0", 1), pqxx::unexpected_rows);
    CHECK_THROWS_AS(db::Exec0(tx, "SELECT $1::int", 1), pqxx::unexpected_rows);
}

TEST_CASE("A statement that fails leaves the transaction aborted and the next one works", "[db][pg]") {
    auto lease = SharedPool().Acquire();
    {
        pqxx::work tx(*lease);
        CHECK_THROWS_AS(db::Exec(tx, "SELECT 1 / $1::int", 0), pqxx::data_exception);
    }
    pqxx::work tx(*lease);
    CHECK(db::Exec1(tx, "SELECT 1 / $1::int", 1)[0].as<int>() == 1);
}

TEST_CASE("A pool configured without prepared statements runs every statement unprepared", "[db][pg]") {
    db::PgConfig config;
    config.conninfo = TestDatabase::Shared("db_statements_pgtest").conninfo();
    config.pool_size = 1;
    config.prepared_statements = false;
    db::Pool pool(config);
    auto lease = pool.Acquire();
    pqxx::work tx(*lease);
    const std::string sql = "SELECT $1::int * 3 AS unprepared";
    CHECK(db::Exec1(tx, sql, 2)[0].as<int>() == 6);
    CHECK(db::Exec1(tx, sql, 3)[0].as<int>() == 9);
    CHECK(RunsOfPrepared(tx, sql) == -1);
    marketplace::db::detail::SetPreparing(true);  // the process's other tests prepare again
    CHECK(db::Exec1(tx, sql, 4)[0].as<int>() == 12);
    CHECK(RunsOfPrepared(tx, sql) == 1);
}

TEST_CASE("Past kMaxPreparedStatements texts, further texts run unprepared", "[db][pg]") {
    auto lease = SharedPool().Acquire();
    pqxx::work tx(*lease);
    int n = 0;
    while (db::PreparedStatementCount() < db::kMaxPreparedStatements) {
        db::Exec1(tx, "SELECT $1::int + " + std::to_string(n++), 1);
    }
    const std::string beyond = "SELECT $1::int - 1 AS beyond";
    CHECK(db::Exec1(tx, beyond, 1)[0].as<int>() == 0);
    CHECK(db::PreparedStatementCount() == db::kMaxPreparedStatements);
    CHECK(RunsOfPrepared(tx, beyond) == -1);  // not among the connection's prepared statements
}
