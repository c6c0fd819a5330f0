#pragma once
// A fixed-size pool of libpqxx connections to one database.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace marketplace::core {
class EnvReader;
}

namespace marketplace::db {

struct PgConfig {
    /// libpq connection string, e.g. "host=127.0.0.1 port=15432 dbname=payments user=payments password=...".
    std::string conninfo;
    std::size_t pool_size = 8;
    std::chrono::milliseconds acquire_timeout{5000};
    /// Whether db::Exec prepares statements (PG_PREPARED_STATEMENTS, default on). Off for a
    /// connection pooler that hands one client's statements to several server sessions (PgBouncer in
    /// transaction mode before 1.21); a pool made with it off turns preparing off in the whole process.
    bool prepared_statements = true;

    /// Reads <PREFIX>PG_HOST, PG_PORT, PG_DATABASE, PG_USER, PG_PASSWORD (or PG_PASSWORD_FILE), PG_POOL_SIZE,
    /// PG_ACQUIRE_TIMEOUT, PG_PREPARED_STATEMENTS; defaults reach the local stack's database named `default_database`.
    /// PG_PASSWORD (or PG_PASSWORD_FILE) is required unless MARKETPLACE_DEV_MODE=1, where it defaults to the local
    /// stack's well-known password (the database's name).
    static PgConfig FromEnv(core::EnvReader& env, const std::string& default_database);
};

/// Opens a connection that never reconnects by itself (a silent reconnect would drop session state
/// such as advisory locks); throws core::Unavailable with libpq's reason when it cannot connect.
std::unique_ptr<pqxx::connection> Connect(const std::string& conninfo);

class Pool final {
public:
    explicit Pool(PgConfig config);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    /// A borrowed connection; goes back to the pool when destroyed. A broken one is dropped together with
    /// the idle connections (after a server restart they are dead too) and replaced on demand.
    class Lease final {
    public:
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        ~Lease();
        pqxx::connection& operator*() const { return *conn_; }
        pqxx::connection* operator->() const { return conn_.get(); }
        pqxx::connection& get() const { return *conn_; }

    private:
        friend class Pool;
        Lease(Pool* pool, std::unique_ptr<pqxx::connection> conn) : pool_(pool), conn_(std::move(conn)) {}
        Pool* pool_;
        std::unique_ptr<pqxx::connection> conn_;
    };

    /// Waits up to acquire_timeout for a connection; throws core::Unavailable when none comes.
    Lease Acquire();
    const PgConfig& config() const noexcept { return config_; }
    /// Opens a new connection outside the pool (for a relay's lock session, LISTEN, and the like).
    std::unique_ptr<pqxx::connection> OpenDedicated() const;

private:
    void Return(std::unique_ptr<pqxx::connection> conn);

    PgConfig config_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<pqxx::connection>> idle_;
    std::size_t open_ = 0;  // idle + leased
};

}  // namespace marketplace::db
