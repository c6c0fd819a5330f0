#pragma once
// A fresh PostgreSQL database on the local stack for one test binary: created on first use with a
// unique name, dropped when the process exits normally.
#include <map>
#include <memory>
#include <string>

#include "marketplace/db/pool.hpp"

namespace marketplace::testing {

class TestDatabase final {
public:
    /// The process-wide database (created once per test binary). `tag` goes into its name.
    static TestDatabase& Shared(const std::string& tag = "test");

    /// A new database, separate from Shared(); dropped by the destructor.
    explicit TestDatabase(const std::string& tag);
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    const std::string& name() const noexcept { return name_; }
    /// libpq connection string to this database (as its owner role).
    const std::string& conninfo() const noexcept { return conninfo_; }
    db::PgConfig Config(std::size_t pool_size = 8) const;
    /// The PG_* environment variables that point a service process at this database as its owner.
    std::map<std::string, std::string> ServiceEnv() const;

    /// Superuser connection string to the local stack's maintenance database.
    static std::string AdminConninfo();

private:
    std::string name_;
    std::string password_;
    std::string conninfo_;
};

}  // namespace marketplace::testing
