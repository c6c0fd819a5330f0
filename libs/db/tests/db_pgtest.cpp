// The database layer against the local stack's PostgreSQL, in a fresh database for this binary.
#include <libpq-fe.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "marketplace/core/config.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/db/errors.hpp"
#include "marketplace/db/migration_runner.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/testing/wait.hpp"

namespace core = marketplace::core;
namespace db = marketplace::db;
using marketplace::testing::TestDatabase;
using marketplace::testing::WaitUntil;
using namespace std::chrono_literals;

namespace {

TestDatabase& Db() { return TestDatabase::Shared("db_pgtest"); }

db::PgConfig Config(std::size_t pool_size, std::chrono::milliseconds acquire_timeout = 5s) {
    auto config = Db().Config(pool_size);
    config.acquire_timeout = acquire_timeout;
    return config;
}

void Exec(pqxx::connection& conn, const std::string& sql) {
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
}

template <typename T>
T Scalar(pqxx::connection& conn, const std::string& sql) {
    pqxx::nontransaction tx(conn);
    return tx.exec(sql).at(0).at(0).as<T>();
}

int BackendPid(pqxx::connection& conn) { return Scalar<int>(conn, "SELECT pg_backend_pid()"); }

std::string RandomSuffix() {
    std::random_device rd;
    return std::to_string(rd() % 1'000'000'000u);
}

std::string ErrorOf(const std::exception_ptr& error) {
    if (!error) return {};
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown exception";
    }
}

/// Lets N threads meet; gives up (returns false) after a timeout instead of hanging the test.
class TimedBarrier final {
public:
    explicit TimedBarrier(int parties) : parties_(parties) {}
    bool ArriveAndWait(std::chrono::milliseconds timeout = 10s) {
        std::unique_lock<std::mutex> lock(mu_);
        if (++arrived_ == parties_) {
            cv_.notify_all();
            return true;
        }
        return cv_.wait_for(lock, timeout, [this] { return arrived_ >= parties_; });
    }

private:
    const int parties_;
    int arrived_ = 0;
    std::mutex mu_;
    std::condition_variable cv_;
};

/// Server-side advisory locks held by the session `pid`.
int AdvisoryLocksOf(int pid) {
    pqxx::connection admin(TestDatabase::AdminConninfo());
    return Scalar<int>(admin,
                       "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = " + std::to_string(pid));
}

std::vector<db::MigrationFile> Files(std::vector<std::pair<std::string, std::string>> named_sql) {
    std::vector<db::MigrationFile> files;
    for (auto& [name, sql] : named_sql) files.push_back({name, sql});
    return files;
}

std::string LocalPort() {
    const char* port = std::getenv("MARKETPLACE_PG_PORT");
    return port != nullptr && *port != '\0' ? port : "15432";
}

std::map<std::string, std::string> ParseConninfo(const std::string& conninfo) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (options == nullptr) {
        std::string message = error != nullptr ? error : "out of memory";
        PQfreemem(error);
        throw std::runtime_error("libpq rejects the conninfo: " + message);
    }
    std::map<std::string, std::string> values;
    for (auto* o = options; o->keyword != nullptr; ++o) {
        if (o->val != nullptr) values[o->keyword] = o->val;
    }
    PQconninfoFree(options);
    return values;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------- Pool

TEST_CASE("Pool hands out at most pool_size connections and then times out naming the wait", "[db][pg]") {
    db::Pool pool(Config(2, 200ms));
    auto first = pool.Acquire();
    auto second = pool.Acquire();
    const int first_pid = BackendPid(*first);
    CHECK(first_pid != BackendPid(*second));

    const auto started = std::chrono::steady_clock::now();
    try {
        pool.Acquire();
        FAIL("a third connection was handed out by a pool of two");
    } catch (const core::Unavailable& e) {
        CHECK(e.caller_message() == "database: no connection available within 200 ms");
        CHECK(e.code() == core::ErrorCode::kUnavailable);
    }
    CHECK(std::chrono::steady_clock::now() - started >= 190ms);

    { auto returned = std::move(first); }  // the moved-from lease returns nothing; this one returns the connection
    auto third = pool.Acquire();
    CHECK(BackendPid(*third) == first_pid);  // reused, not a new connection
}

TEST_CASE("Pool wakes a waiting Acquire as soon as another thread returns a connection", "[db][pg]") {
    db::Pool pool(Config(1, 5s));
    std::optional<db::Pool::Lease> held(pool.Acquire());
    const int pid = BackendPid(**held);

    std::atomic<int> waiter_pid{0};
    std::chrono::steady_clock::duration waited{};
    std::exception_ptr error;
    std::thread waiter([&] {
        try {
            const auto started = std::chrono::steady_clock::now();
            auto lease = pool.Acquire();
            waited = std::chrono::steady_clock::now() - started;
            waiter_pid = BackendPid(*lease);
        } catch (...) {
            error = std::current_exception();
        }
    });
    std::this_thread::sleep_for(100ms);
    held.reset();
    waiter.join();

    REQUIRE(ErrorOf(error).empty());
    CHECK(waiter_pid == pid);
    CHECK(waited >= 90ms);
    CHECK(waited < 2s);
}

TEST_CASE("Pool shares pool_size connections among many busy threads", "[db][pg]") {
    constexpr std::size_t kPoolSize = 3;
    db::Pool pool(Config(kPoolSize, 10s));
    std::mutex mu;
    std::set<int> pids;
    std::vector<std::exception_ptr> errors(6);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < errors.size(); ++t) {
        threads.emplace_back([&, t] {
            try {
                for (int i = 0; i < 40; ++i) {
                    const int pid = db::InTransaction(
                        pool, [](pqxx::work& tx) { return tx.exec("SELECT pg_backend_pid()").at(0).at(0).as<int>(); });
                    std::lock_guard<std::mutex> lock(mu);
                    pids.insert(pid);
                }
            } catch (...) {
                errors[t] = std::current_exception();
            }
        });
    }
    for (auto& th : threads) th.join();
    for (const auto& e : errors) CHECK(ErrorOf(e).empty());
    CHECK(pids.size() <= kPoolSize);
    CHECK(!pids.empty());
}

TEST_CASE("Pool reports a connection that cannot be opened as Unavailable with libpq's reason, without losing the slot",
          "[db][pg]") {
    auto config = Config(1, 200ms);
    const std::string dbname = "dbname=" + Db().name();
    const auto at = config.conninfo.find(dbname);
    REQUIRE(at != std::string::npos);
    config.conninfo.replace(at, dbname.size(), "dbname=no_such_database_" + RandomSuffix());
    db::Pool pool(config);

    // Were the slot leaked, the second and third attempts would time out waiting instead.
    for (int attempt = 0; attempt < 3; ++attempt) {
        try {
            pool.Acquire();
            FAIL("connected to a database that does not exist");
        } catch (const core::Unavailable& e) {
            CHECK_THAT(e.what(), Catch::Matchers::Contains("does not exist"));
            CHECK_THAT(e.what(), Catch::Matchers::Contains("no_such_database_"));
            CHECK(e.caller_message() == "database: cannot connect");
        }
    }
}

TEST_CASE("Pool discards a connection that broke while leased and opens a new one", "[db][pg]") {
    db::Pool pool(Config(1, 2s));
    int old_pid = 0;
    {
        auto lease = pool.Acquire();
        old_pid = BackendPid(*lease);
        pqxx::connection admin(TestDatabase::AdminConninfo());
        REQUIRE(Scalar<bool>(admin, "SELECT pg_terminate_backend(" + std::to_string(old_pid) + ")"));
        REQUIRE(WaitUntil(
            [&] {
                return Scalar<int>(admin,
                                   "SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(old_pid)) == 0;
            },
            5s));

        CHECK_THROWS_AS(db::InTransaction(*lease, [](pqxx::work& tx) { tx.exec("SELECT 1"); }),
                        pqxx::broken_connection);
        CHECK_FALSE(lease->is_open());
        // It stays broken: a silent reconnect would drop session state such as advisory locks unnoticed.
        for (int again = 0; again < 3; ++again) {
            CHECK_THROWS_AS(db::InTransaction(*lease, [](pqxx::work& tx) { tx.exec("SELECT 1"); }),
                            pqxx::broken_connection);
        }
    }

    auto fresh = pool.Acquire();  // a pool of one: handing back the broken connection would fail below
    REQUIRE(fresh->is_open());
    const int new_pid = db::InTransaction(
        *fresh, [](pqxx::work& tx) { return tx.exec("SELECT pg_backend_pid()").at(0).at(0).as<int>(); });
    CHECK(new_pid != old_pid);
}

TEST_CASE("Pool lends no idle connection the server closed, and drops the other idle ones with a broken one",
          "[db][pg]") {
    db::Pool pool(Config(2, 2s));
    int first = 0, second = 0;
    {
        auto a = pool.Acquire();
        auto b = pool.Acquire();
        first = BackendPid(*a);
        second = BackendPid(*b);
    }  // both idle now
    pqxx::connection admin(TestDatabase::AdminConninfo());
    for (const int pid : {first, second}) {
        REQUIRE(Scalar<bool>(admin, "SELECT pg_terminate_backend(" + std::to_string(pid) + ")"));
    }
    REQUIRE(WaitUntil(
        [&] {
            return Scalar<int>(admin, "SELECT count(*) FROM pg_stat_activity WHERE pid IN (" + std::to_string(first) +
                                          "," + std::to_string(second) + ")") == 0;
        },
        5s));
    // What a restart does to every idle connection: the next callers get live ones, not errors.
    for (int i = 0; i < 2; ++i) {
        auto lease = pool.Acquire();
        const int pid = db::InTransaction(
            *lease, [](pqxx::work& tx) { return tx.exec("SELECT pg_backend_pid()").at(0).at(0).as<int>(); });
        CHECK(pid != first);
        CHECK(pid != second);
    }
}

TEST_CASE("IsConnectionFailure: connection failures and pool timeouts, not the work's own errors", "[db][pg]") {
    CHECK(db::IsConnectionFailure(pqxx::broken_connection("gone")));
    CHECK(db::IsConnectionFailure(pqxx::in_doubt_error("commit outcome unknown")));
    CHECK(db::IsConnectionFailure(core::Unavailable("database: cannot connect")));
    CHECK(db::IsConnectionFailure(pqxx::sql_error("terminating connection", "SELECT 1", "57P01")));
    CHECK(db::IsConnectionFailure(pqxx::sql_error("starting up", "SELECT 1", "57P03")));
    CHECK(db::IsConnectionFailure(pqxx::sql_error("connection failure", "SELECT 1", "08006")));
    CHECK_FALSE(db::IsConnectionFailure(pqxx::sql_error("duplicate key", "INSERT", "23505")));
    CHECK_FALSE(db::IsConnectionFailure(pqxx::sql_error("division by zero", "SELECT 1/0", "22012")));
    CHECK_FALSE(db::IsConnectionFailure(core::InvalidArgument("amount", "must be positive")));
    CHECK_FALSE(db::IsConnectionFailure(std::runtime_error("a handler's own failure")));
    // The real thing: a statement on a connection the server closed.
    auto conn = db::Connect(Db().conninfo());
    pqxx::connection admin(TestDatabase::AdminConninfo());
    const int pid = BackendPid(*conn);
    REQUIRE(Scalar<bool>(admin, "SELECT pg_terminate_backend(" + std::to_string(pid) + ")"));
    REQUIRE(WaitUntil(
        [&] {
            return Scalar<int>(admin, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(pid)) == 0;
        },
        5s));
    try {
        db::InTransaction(*conn, [](pqxx::work& tx) { tx.exec("SELECT 1"); });
        FAIL("a statement on a terminated session succeeded");
    } catch (const std::exception& e) {
        INFO(e.what());
        CHECK(db::IsConnectionFailure(e));
    }
}

// ---------------------------------------------------------------------------------------------------- InTransaction

TEST_CASE("InTransaction commits the work and returns its result", "[db][pg]") {
    db::Pool pool(Config(2));
    auto lease = pool.Acquire();
    Exec(*lease, "CREATE TABLE tx_commit (id serial PRIMARY KEY, note text NOT NULL)");

    const int id = db::InTransaction(pool, [](pqxx::work& tx) {
        return tx.exec_params("INSERT INTO tx_commit (note) VALUES ($1) RETURNING id", "kept").at(0).at(0).as<int>();
    });

    CHECK(Scalar<std::string>(*lease, "SELECT note FROM tx_commit WHERE id = " + std::to_string(id)) == "kept");
}

TEST_CASE("InTransaction rolls back everything the work wrote when it throws", "[db][pg]") {
    struct Boom final : std::runtime_error {
        Boom() : std::runtime_error("boom") {}
    };
    db::Pool pool(Config(2));
    auto lease = pool.Acquire();
    Exec(*lease, "CREATE TABLE tx_rollback (id int PRIMARY KEY)");

    int attempts = 0;
    CHECK_THROWS_AS(db::InTransaction(pool,
                                      [&](pqxx::work& tx) {
                                          ++attempts;
                                          tx.exec("INSERT INTO tx_rollback VALUES (1), (2)");
                                          throw Boom();
                                      }),
                    Boom);
    CHECK(attempts == 1);
    CHECK(Scalar<int>(*lease, "SELECT count(*) FROM tx_rollback") == 0);
}

TEST_CASE("InTransaction retries serialization failures and deadlocks but nothing else", "[db][pg]") {
    db::Pool pool(Config(2));
    auto lease = pool.Acquire();
    Exec(*lease, "CREATE TABLE IF NOT EXISTS tx_retry_kinds (id int PRIMARY KEY)");
    const db::TxOptions fast{db::Isolation::kReadCommitted, 4, 1ms, 2ms};
    int attempts = 0;

    SECTION("a unique violation is thrown at once") {
        Exec(*lease, "INSERT INTO tx_retry_kinds VALUES (1) ON CONFLICT DO NOTHING");
        CHECK_THROWS_AS(db::InTransaction(
                            pool,
                            [&](pqxx::work& tx) {
                                ++attempts;
                                tx.exec("INSERT INTO tx_retry_kinds VALUES (1)");
                            },
                            fast),
                        pqxx::unique_violation);
        CHECK(attempts == 1);
    }
    SECTION("an error reported as SQLSTATE 40001 or 40P01 is retried until the work succeeds") {
        const char* state = GENERATE("40001", "40P01");
        const int result = db::InTransaction(
            pool,
            [&](pqxx::work& tx) {
                if (++attempts < 3) throw pqxx::sql_error("conflict", "SELECT 1", state);
                return tx.exec("SELECT 42").at(0).at(0).as<int>();
            },
            fast);
        CHECK(result == 42);
        CHECK(attempts == 3);
    }
    SECTION("another SQLSTATE of class 40 is not retried") {
        CHECK_THROWS_AS(db::InTransaction(
                            pool,
                            [&](pqxx::work&) {
                                ++attempts;
                                throw pqxx::sql_error("integrity at commit", "COMMIT", "40002");
                            },
                            fast),
                        pqxx::sql_error);
        CHECK(attempts == 1);
    }
    SECTION("a serialization failure that keeps coming is thrown after max_attempts") {
        CHECK_THROWS_AS(db::InTransaction(
                            pool,
                            [&](pqxx::work&) {
                                ++attempts;
                                throw pqxx::serialization_failure("could not serialize access");
                            },
                            fast),
                        pqxx::serialization_failure);
        CHECK(attempts == fast.max_attempts);
    }
}

TEST_CASE("Conflicting SERIALIZABLE transactions are retried until both commit, as if run one after the other",
          "[db][pg]") {
    db::Pool pool(Config(4));
    {
        auto lease = pool.Acquire();
        Exec(*lease, "CREATE TABLE tx_serial (round int NOT NULL, amount bigint NOT NULL)");
    }
    const db::TxOptions serializable{db::Isolation::kSerializable, 20, 1ms, 20ms};
    int total_attempts = 0;
    constexpr int kRounds = 5;
    for (int round = 1; round <= kRounds; ++round) {
        TimedBarrier both_have_read(2);
        std::atomic<int> attempts{0};
        std::exception_ptr errors[2];
        // Each transaction reads the round's total and appends total + 1. Run one after the other, they
        // append 1 then 2; had both read before either wrote and both committed, they would append 1 and 1.
        auto worker = [&](int who) {
            try {
                bool first_attempt = true;
                db::InTransaction(
                    pool,
                    [&](pqxx::work& tx) {
                        ++attempts;
                        const auto total =
                            tx.exec_params("SELECT coalesce(sum(amount), 0) FROM tx_serial WHERE round = $1", round)
                                .at(0)
                                .at(0)
                                .as<long long>();
                        if (first_attempt) {
                            first_attempt = false;
                            if (!both_have_read.ArriveAndWait()) throw std::runtime_error("barrier timed out");
                        }
                        tx.exec_params("INSERT INTO tx_serial (round, amount) VALUES ($1, $2)", round, total + 1);
                    },
                    serializable);
            } catch (...) {
                errors[who] = std::current_exception();
            }
        };
        std::thread a(worker, 0), b(worker, 1);
        a.join();
        b.join();
        INFO("round " << round);
        REQUIRE(ErrorOf(errors[0]).empty());
        REQUIRE(ErrorOf(errors[1]).empty());
        CHECK(attempts >= 3);  // the barrier forces a conflict: one of them ran again
        total_attempts += attempts;

        auto lease = pool.Acquire();
        CHECK(Scalar<std::string>(*lease,
                                  "SELECT string_agg(amount::text, ',' ORDER BY amount) FROM tx_serial "
                                  "WHERE round = " +
                                      std::to_string(round)) == "1,2");
    }
    CHECK(total_attempts >= 3 * kRounds);
}

TEST_CASE("A real deadlock is retried and both transactions commit", "[db][pg]") {
    db::Pool pool(Config(4));
    {
        auto lease = pool.Acquire();
        Exec(*lease, "CREATE TABLE tx_deadlock (id int PRIMARY KEY, hits int NOT NULL)");
        Exec(*lease, "INSERT INTO tx_deadlock VALUES (1, 0), (2, 0)");
    }
    TimedBarrier both_hold_one(2);
    std::atomic<int> attempts{0};
    std::exception_ptr errors[2];
    // Thread 0 locks row 1 then row 2; thread 1 locks row 2 then row 1. PostgreSQL aborts one with 40P01.
    auto worker = [&](int who) {
        try {
            bool first_attempt = true;
            const int first_row = who == 0 ? 1 : 2;
            const int second_row = who == 0 ? 2 : 1;
            db::InTransaction(pool, [&](pqxx::work& tx) {
                ++attempts;
                tx.exec_params("UPDATE tx_deadlock SET hits = hits + 1 WHERE id = $1", first_row);
                if (first_attempt) {
                    first_attempt = false;
                    if (!both_hold_one.ArriveAndWait()) throw std::runtime_error("barrier timed out");
                }
                tx.exec_params("UPDATE tx_deadlock SET hits = hits + 1 WHERE id = $1", second_row);
            });
        } catch (...) {
            errors[who] = std::current_exception();
        }
    };
    std::thread a(worker, 0), b(worker, 1);
    a.join();
    b.join();

    REQUIRE(ErrorOf(errors[0]).empty());
    REQUIRE(ErrorOf(errors[1]).empty());
    CHECK(attempts == 3);
    auto lease = pool.Acquire();
    CHECK(Scalar<std::string>(*lease, "SELECT string_agg(id || ':' || hits, ',' ORDER BY id) FROM tx_deadlock") ==
          "1:2,2:2");
}

// ---------------------------------------------------------------------------------------------------- Migrations

TEST_CASE("Migrations apply in version order, record checksums, and a second run applies nothing", "[db][pg]") {
    pqxx::connection conn(Db().conninfo());
    auto files = Files({
        {"V10__seed.sql", "INSERT INTO mo_items (label) VALUES ('ten');"},
        {"V1__create.sql", "CREATE TABLE mo_items (id serial PRIMARY KEY);"},
        {"V2__add_label.sql", "ALTER TABLE mo_items ADD COLUMN label text NOT NULL DEFAULT '';"},
    });

    const auto first = db::ApplyMigrations(conn, "order", files);
    CHECK(first.applied == std::vector<std::string>{"V1__create.sql", "V2__add_label.sql", "V10__seed.sql"});
    CHECK(first.already_applied == 0);
    CHECK(Scalar<std::string>(conn, "SELECT string_agg(label, ',') FROM mo_items") == "ten");
    {
        pqxx::nontransaction tx(conn);
        const auto rows = tx.exec(
            "SELECT version, name, checksum, applied_at IS NOT NULL FROM schema_migrations "
            "WHERE component = 'order' ORDER BY version");
        REQUIRE(rows.size() == 3);
        CHECK(rows[0][0].as<int>() == 1);
        CHECK(rows[0][1].as<std::string>() == "V1__create.sql");
        CHECK(rows[0][2].as<std::string>() == db::Sha256Hex(files[1].sql));
        CHECK(rows[2][0].as<int>() == 10);
        CHECK(rows[2][2].as<std::string>() == db::Sha256Hex(files[0].sql));
        CHECK(rows[2][3].as<bool>());
    }

    const auto second = db::ApplyMigrations(conn, "order", files);
    CHECK(second.applied.empty());
    CHECK(second.already_applied == 3);
    CHECK(Scalar<int>(conn, "SELECT count(*) FROM mo_items") == 1);

    files.push_back({"V11__more.sql", "INSERT INTO mo_items (label) VALUES ('eleven');"});
    const auto third = db::ApplyMigrations(conn, "order", files);
    CHECK(third.applied == std::vector<std::string>{"V11__more.sql"});
    CHECK(third.already_applied == 3);
    CHECK(AdvisoryLocksOf(BackendPid(conn)) == 0);
}

TEST_CASE("Migrations refuse a file that was changed after it was applied, naming it", "[db][pg]") {
    pqxx::connection conn(Db().conninfo());
    auto files = Files({{"V001__create.sql", "CREATE TABLE mc_items (id int);"},
                        {"V002__x.sql", "ALTER TABLE mc_items ADD COLUMN a int;"}});
    db::ApplyMigrations(conn, "changed", files);
    const std::string applied_sum = db::Sha256Hex(files[1].sql);

    files[1].sql = "ALTER TABLE mc_items ADD COLUMN b int;";
    files.push_back({"V003__later.sql", "CREATE TABLE mc_later (id int);"});
    try {
        db::ApplyMigrations(conn, "changed", files);
        FAIL("a changed migration was accepted");
    } catch (const db::MigrationError& e) {
        CHECK_THAT(e.what(), Catch::Matchers::Contains("V002__x.sql was changed after it was applied (checksum " +
                                                       db::Sha256Hex(files[1].sql) + " != " + applied_sum));
    }
    CHECK(Scalar<bool>(conn, "SELECT to_regclass('mc_later') IS NULL"));
    CHECK(AdvisoryLocksOf(BackendPid(conn)) == 0);
}

TEST_CASE(
    "Migrations: a checksum recorded over the whole file is accepted and rewritten; comments may then change, "
    "statements may not",
    "[db][pg]") {
    pqxx::connection conn(Db().conninfo());
    auto files = Files({{"V001__create.sql", "-- Items.\nCREATE TABLE mw_items (id int);\n"}});
    db::ApplyMigrations(conn, "whole", files);
    const auto recorded = [&] {
        return Scalar<std::string>(conn, "SELECT checksum FROM schema_migrations WHERE component = 'whole'");
    };
    CHECK(recorded() == db::MigrationChecksum(files[0].sql));
    // A database written before checksums covered only statements holds the whole file's SHA-256.
    {
        pqxx::work tx(conn);
        tx.exec_params("UPDATE schema_migrations SET checksum = $1 WHERE component = 'whole'",
                       db::Sha256Hex(files[0].sql));
        tx.commit();
    }
    CHECK(db::ApplyMigrations(conn, "whole", files).already_applied == 1);
    CHECK(recorded() == db::MigrationChecksum(files[0].sql));

    files[0].sql = "-- Items, the comment corrected.\nCREATE TABLE mw_items (id int);";
    CHECK(db::ApplyMigrations(conn, "whole", files).already_applied == 1);
    files[0].sql = "-- Items.\nCREATE TABLE mw_items (id bigint);";
    CHECK_THROWS_WITH(db::ApplyMigrations(conn, "whole", files),
                      Catch::Matchers::Contains("V001__create.sql was changed after it was applied"));
    CHECK(AdvisoryLocksOf(BackendPid(conn)) == 0);
}

TEST_CASE("A failing migration leaves nothing behind and names the file with PostgreSQL's message", "[db][pg]") {
    pqxx::connection conn(Db().conninfo());
    auto files = Files({{"V001__create.sql", "CREATE TABLE mf_items (id int);"},
                        {"V002__broken.sql", "CREATE TABLE mf_partial (id int); INSERT INTO mf_missing VALUES (1);"},
                        {"V003__later.sql", "CREATE TABLE mf_later (id int);"}});
    try {
        db::ApplyMigrations(conn, "failing", files);
        FAIL("a failing migration was reported as applied");
    } catch (const db::MigrationError& e) {
        CHECK_THAT(e.what(), Catch::Matchers::Contains("V002__broken.sql"));
        CHECK_THAT(e.what(), Catch::Matchers::Contains("relation \"mf_missing\" does not exist"));
    }
    CHECK(Scalar<bool>(conn, "SELECT to_regclass('mf_items') IS NOT NULL"));
    CHECK(Scalar<bool>(conn, "SELECT to_regclass('mf_partial') IS NULL"));
    CHECK(Scalar<bool>(conn, "SELECT to_regclass('mf_later') IS NULL"));
    CHECK(Scalar<std::string>(conn,
                              "SELECT string_agg(version::text, ',') FROM schema_migrations "
                              "WHERE component = 'failing'") == "1");
    CHECK(AdvisoryLocksOf(BackendPid(conn)) == 0);

    files[1].sql = "CREATE TABLE mf_partial (id int);";
    const auto fixed = db::ApplyMigrations(conn, "failing", files);
    CHECK(fixed.applied == std::vector<std::string>{"V002__broken.sql", "V003__later.sql"});
    CHECK(fixed.already_applied == 1);
}

TEST_CASE("Migrations refuse to run when an applied version's file is missing or a new file is older", "[db][pg]") {
    pqxx::connection conn(Db().conninfo());
    const std::string component = "gaps_" + RandomSuffix();
    db::ApplyMigrations(conn, component,
                        Files({{"V1__a.sql", "SELECT 1;"}, {"V2__b.sql", "SELECT 2;"}, {"V4__d.sql", "SELECT 4;"}}));

    SECTION("an applied file was removed") {
        CHECK_THROWS_WITH(
            db::ApplyMigrations(conn, component, Files({{"V1__a.sql", "SELECT 1;"}, {"V4__d.sql", "SELECT 4;"}})),
            Catch::Matchers::Contains("V2__b.sql") && Catch::Matchers::Contains("missing"));
    }
    SECTION("a new file sorts before the latest applied one") {
        CHECK_THROWS_WITH(db::ApplyMigrations(conn, component,
                                              Files({{"V1__a.sql", "SELECT 1;"},
                                                     {"V2__b.sql", "SELECT 2;"},
                                                     {"V3__c.sql", "CREATE TABLE mg_should_not_exist (id int);"},
                                                     {"V4__d.sql", "SELECT 4;"}})),
                          Catch::Matchers::Contains("V3__c.sql") && Catch::Matchers::Contains("V4__d.sql"));
        CHECK(Scalar<bool>(conn, "SELECT to_regclass('mg_should_not_exist') IS NULL"));
    }
    CHECK(AdvisoryLocksOf(BackendPid(conn)) == 0);
}

TEST_CASE("Migrations refuse bad file names and duplicate versions before running anything", "[db][pg]") {
    pqxx::connection conn(Db().conninfo());
    CHECK_THROWS_WITH(db::ApplyMigrations(conn, "names",
                                          Files({{"V1__ok.sql", "CREATE TABLE mn_ok (id int);"},
                                                 {"V2_missing_underscore.sql", "SELECT 1;"}})),
                      Catch::Matchers::Contains("'V2_missing_underscore.sql'"));
    CHECK_THROWS_WITH(
        db::ApplyMigrations(conn, "names",
                            Files({{"V1__ok.sql", "CREATE TABLE mn_ok (id int);"}, {"V01__again.sql", "SELECT 1;"}})),
        Catch::Matchers::Contains("V1__ok.sql") && Catch::Matchers::Contains("V01__again.sql"));
    CHECK(Scalar<bool>(conn, "SELECT to_regclass('mn_ok') IS NULL"));
}

TEST_CASE("Migrations of different components keep separate version sequences", "[db][pg]") {
    pqxx::connection conn(Db().conninfo());
    const auto a = db::ApplyMigrations(conn, "component_a", Files({{"V1__init.sql", "CREATE TABLE mca (id int);"}}));
    const auto b = db::ApplyMigrations(conn, "component_b", Files({{"V1__init.sql", "CREATE TABLE mcb (id int);"}}));
    CHECK(a.applied == std::vector<std::string>{"V1__init.sql"});
    CHECK(b.applied == std::vector<std::string>{"V1__init.sql"});
}

TEST_CASE("Two runners started at once apply every migration exactly once", "[db][pg]") {
    for (int round = 1; round <= 3; ++round) {
        INFO("round " << round);
        const std::string component = "race_" + std::to_string(round) + "_" + RandomSuffix();
        const std::string table = "mr_log_" + std::to_string(round);
        std::vector<db::MigrationFile> files{{"V1__create.sql", "CREATE TABLE " + table + " (file text NOT NULL);"}};
        for (int v = 2; v <= 6; ++v) {
            files.push_back(
                {"V" + std::to_string(v) + "__step.sql",
                 "INSERT INTO " + table + " VALUES ('V" + std::to_string(v) + "'); SELECT pg_sleep(0.02);"});
        }

        // Each runner has its own connection, opened before they start together.
        pqxx::connection conn_a(Db().conninfo());
        pqxx::connection conn_b(Db().conninfo());
        TimedBarrier start(2);
        db::MigrationReport reports[2];
        std::exception_ptr errors[2];
        auto runner = [&](int who, pqxx::connection& conn) {
            try {
                if (!start.ArriveAndWait()) throw std::runtime_error("barrier timed out");
                reports[who] = db::ApplyMigrations(conn, component, files);
            } catch (...) {
                errors[who] = std::current_exception();
            }
        };
        std::thread a(runner, 0, std::ref(conn_a)), b(runner, 1, std::ref(conn_b));
        a.join();
        b.join();

        REQUIRE(ErrorOf(errors[0]).empty());
        REQUIRE(ErrorOf(errors[1]).empty());
        std::multiset<std::string> applied(reports[0].applied.begin(), reports[0].applied.end());
        applied.insert(reports[1].applied.begin(), reports[1].applied.end());
        CHECK(applied.size() == files.size());
        for (const auto& f : files) CHECK(applied.count(f.filename) == 1);
        for (const auto& report : reports) {
            CHECK(report.already_applied + static_cast<int>(report.applied.size()) == static_cast<int>(files.size()));
        }
        CHECK(Scalar<std::string>(conn_a, "SELECT string_agg(file, ',' ORDER BY file) FROM " + table) ==
              "V2,V3,V4,V5,V6");
        CHECK(Scalar<int>(conn_a, "SELECT count(*) FROM schema_migrations WHERE component = '" + component + "'") == 6);
    }
}

// ---------------------------------------------------------------------------------------------------- PgConfig

TEST_CASE("PgConfig::FromEnv defaults reach the service's database on the local stack in development mode",
          "[db][config]") {
    core::EnvReader env("", [](const std::string& name) {
        return name == "MARKETPLACE_DEV_MODE" ? std::optional<std::string>("1") : std::nullopt;
    });
    const auto config = db::PgConfig::FromEnv(env, "payments");
    env.Finish();

    CHECK(config.pool_size == 8);
    CHECK(config.acquire_timeout == 5s);
    const auto values = ParseConninfo(config.conninfo);
    CHECK(values.at("host") == "127.0.0.1");
    CHECK(values.at("port") == LocalPort());
    CHECK(values.at("dbname") == "payments");
    CHECK(values.at("user") == "payments");
    CHECK(values.at("password") == "payments");
    CHECK(values.at("application_name") == "marketplace-payments");
}

TEST_CASE("PgConfig::FromEnv without PG_PASSWORD outside development mode is an error naming PG_PASSWORD",
          "[db][config]") {
    for (const auto& dev_mode : {std::optional<std::string>(), std::optional<std::string>("0")}) {
        core::EnvReader env(
            "", [&](const std::string& name) { return name == "MARKETPLACE_DEV_MODE" ? dev_mode : std::nullopt; });
        const auto config = db::PgConfig::FromEnv(env, "payments");
        CHECK_THROWS_WITH(env.Finish(), Catch::Matchers::StartsWith("PG_PASSWORD: is required"));
        const auto values = ParseConninfo(config.conninfo);
        CHECK((values.count("password") == 0 || values.at("password").empty()));  // not the well-known one
    }
}

TEST_CASE("PgConfig::FromEnv reports a pool size or timeout out of range, naming the variable", "[db][config]") {
    const std::map<std::string, std::string> vars{{"JOBS_PG_POOL_SIZE", "0"}, {"JOBS_PG_ACQUIRE_TIMEOUT", "soon"}};
    core::EnvReader env("JOBS_", [&](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    });
    db::PgConfig::FromEnv(env, "jobs");
    try {
        env.Finish();
        FAIL("bad values were accepted");
    } catch (const core::ConfigError& e) {
        CHECK_THAT(e.what(), Catch::Matchers::Contains("JOBS_PG_POOL_SIZE: must be within 1..256"));
        CHECK_THAT(e.what(), Catch::Matchers::Contains("JOBS_PG_ACQUIRE_TIMEOUT"));
    }
}

TEST_CASE("PgConfig::FromEnv quotes credentials so a password with quotes, backslashes and spaces connects",
          "[db][pg][config]") {
    const std::string role = "r_quote_" + RandomSuffix();
    const std::string password = "it's a \\ \"tricky\" pass word='x'";
    pqxx::connection admin(TestDatabase::AdminConninfo());
    {
        pqxx::nontransaction tx(admin);
        tx.exec("CREATE ROLE " + tx.quote_name(role) + " LOGIN PASSWORD " + tx.quote(password));
    }
    const std::map<std::string, std::string> vars{
        {"PG_HOST", "127.0.0.1"},  {"PG_PORT", LocalPort()}, {"PG_DATABASE", Db().name()},   {"PG_USER", role},
        {"PG_PASSWORD", password}, {"PG_POOL_SIZE", "3"},    {"PG_ACQUIRE_TIMEOUT", "750ms"}};
    core::EnvReader env("", [&](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    });
    const auto config = db::PgConfig::FromEnv(env, "payments");
    env.Finish();
    CHECK(config.pool_size == 3);
    CHECK(config.acquire_timeout == 750ms);
    CHECK(ParseConninfo(config.conninfo).at("password") == password);

    std::string seen;
    {
        db::Pool pool(config);
        seen = db::InTransaction(pool, [](pqxx::work& tx) {
            const auto row = tx.exec(
                                   "SELECT current_user || '|' || current_database() || '|' || "
                                   "current_setting('application_name')")
                                 .at(0);
            return row.at(0).as<std::string>();
        });
    }
    CHECK(seen == role + "|" + Db().name() + "|marketplace-payments");

    // The pool has closed its connections; once the server has ended them the role can go.
    WaitUntil(
        [&] {
            return Scalar<int>(admin, "SELECT count(*) FROM pg_stat_activity WHERE usename = " + admin.quote(role)) ==
                   0;
        },
        5s);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP ROLE " + tx.quote_name(role));
}
