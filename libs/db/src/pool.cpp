#include "marketplace/db/pool.hpp"
#include "marketplace/db/statements.hpp"

#include <poll.h>

#include <algorithm>
#include <cstdint>
#include <pqxx/except>
#include <string>
#include <utility>

#include "marketplace/core/config.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::db {
namespace {

constexpr std::int64_t kDefaultLocalPort = 15432;
constexpr std::int64_t kMaxPoolSize = 256;

/// A conninfo value in single quotes, with backslashes and quotes escaped as libpq expects.
std::string QuoteConninfoValue(const std::string& value) {
    std::string out;
    out.reserve(value.size() + 2);
    out += '\'';
    for (char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    out += '\'';
    return out;
}

void AppendParam(std::string& conninfo, const char* key, const std::string& value) {
    if (!conninfo.empty()) conninfo += ' ';
    conninfo += key;
    conninfo += '=';
    conninfo += QuoteConninfoValue(value);
}

/// The local stack's port: MARKETPLACE_PG_PORT when set (validated), else 15432.
std::int64_t LocalStackPort() {
    core::EnvReader global_env;
    const std::int64_t port = global_env.Int("MARKETPLACE_PG_PORT", kDefaultLocalPort, 1, 65535);
    global_env.Finish();
    return port;
}

std::string TrimTrailingNewlines(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

/// libpqxx 6 silently reconnects a broken connection on its next use, which would drop session state
/// (advisory locks, LISTEN, SET) without anyone noticing. Our connections fail loudly instead; the pool
/// discards them and opens fresh ones.
void InhibitReactivation(pqxx::connection& conn) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    conn.inhibit_reactivation(true);
#pragma GCC diagnostic pop
}

/// True when an idle connection was (most likely) closed by the server: a restart, a crash, an
/// administrator's pg_terminate_backend. Pool connections never LISTEN, so nothing is expected on an
/// idle one: a readable socket means the server said goodbye ("terminating connection") or hung up,
/// which libpq would only learn on the next statement. Dropping it now spares the caller a failed
/// statement; the rare false alarm costs one reconnect.
bool ClosedByServer(const pqxx::connection& conn) {
    const int fd = conn.sock();
    if (fd < 0) return true;
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;  // readable, hung up, or an error
}

}  // namespace

PgConfig PgConfig::FromEnv(core::EnvReader& env, const std::string& default_database) {
    PgConfig config;
    const std::string host = env.String("PG_HOST", "127.0.0.1");
    const bool port_given = !env.String("PG_PORT", "").empty();
    const std::int64_t port = env.Int("PG_PORT", port_given ? kDefaultLocalPort : LocalStackPort(), 1, 65535);
    const std::string database = env.String("PG_DATABASE", default_database);
    const std::string user = env.String("PG_USER", default_database);
    // The local stack's roles use their own name as the password: only in development mode.
    const std::string password = env.SecretOrDevDefault("PG_PASSWORD", default_database);
    config.pool_size = static_cast<std::size_t>(env.Int("PG_POOL_SIZE", 8, 1, kMaxPoolSize));
    config.acquire_timeout = env.Duration("PG_ACQUIRE_TIMEOUT", std::chrono::seconds(5), std::chrono::milliseconds(1),
                                          std::chrono::minutes(10));
    config.prepared_statements = env.Bool("PG_PREPARED_STATEMENTS", true);

    // libpq's connect_timeout is in whole seconds and at least 2; without it a blackholed host would hold
    // Acquire far beyond acquire_timeout.
    const auto connect_timeout_s = std::max<std::int64_t>(2, (config.acquire_timeout.count() + 999) / 1000);

    std::string conninfo;
    AppendParam(conninfo, "host", host);
    AppendParam(conninfo, "port", std::to_string(port));
    AppendParam(conninfo, "dbname", database);
    AppendParam(conninfo, "user", user);
    AppendParam(conninfo, "password", password);
    AppendParam(conninfo, "connect_timeout", std::to_string(connect_timeout_s));
    AppendParam(conninfo, "application_name", "marketplace-" + default_database);
    config.conninfo = std::move(conninfo);
    return config;
}

Pool::Pool(PgConfig config) : config_(std::move(config)) {
    if (config_.pool_size == 0) config_.pool_size = 1;
    if (!config_.prepared_statements) detail::SetPreparing(false);
}

Pool::~Pool() {
    // Every Lease must be gone by now (a Lease points at its pool); idle connections close here.
    std::lock_guard<std::mutex> lock(mu_);
    idle_.clear();
}

Pool::Lease::Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {
    other.pool_ = nullptr;
}

Pool::Lease::~Lease() {
    if (pool_ != nullptr && conn_) pool_->Return(std::move(conn_));
}

Pool::Lease Pool::Acquire() {
    const auto deadline = std::chrono::steady_clock::now() + config_.acquire_timeout;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        while (!idle_.empty()) {
            std::unique_ptr<pqxx::connection> conn = std::move(idle_.back());
            idle_.pop_back();
            if (conn->is_open() && !ClosedByServer(*conn)) return Lease(this, std::move(conn));
            // Known to be broken while idle: drop it (outside the lock) and free its slot.
            --open_;
            lock.unlock();
            conn.reset();
            lock.lock();
        }
        if (open_ < config_.pool_size) {
            ++open_;  // reserve the slot, then connect without holding the lock
            lock.unlock();
            try {
                return Lease(this, OpenDedicated());
            } catch (...) {
                lock.lock();
                --open_;
                lock.unlock();
                cv_.notify_one();
                throw;
            }
        }
        const bool ready =
            cv_.wait_until(lock, deadline, [this] { return !idle_.empty() || open_ < config_.pool_size; });
        if (!ready) {
            throw core::Unavailable("database: no connection available within " +
                                    std::to_string(config_.acquire_timeout.count()) + " ms");
        }
    }
}

std::unique_ptr<pqxx::connection> Connect(const std::string& conninfo) {
    std::unique_ptr<pqxx::connection> conn;
    try {
        conn = std::make_unique<pqxx::connection>(conninfo);
    } catch (const pqxx::failure& e) {  // broken_connection with libpq's reason, or a failed setup query
        throw core::Unavailable("database: cannot connect",
                                "database: cannot connect: " + TrimTrailingNewlines(e.what()));
    }
    InhibitReactivation(*conn);
    return conn;
}

std::unique_ptr<pqxx::connection> Pool::OpenDedicated() const { return Connect(config_.conninfo); }

void Pool::Return(std::unique_ptr<pqxx::connection> conn) {
    if (conn && conn->is_open()) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            idle_.push_back(std::move(conn));
        }
        cv_.notify_one();
        return;
    }
    // A broken connection usually means the server restarted or the network dropped: the idle
    // connections opened before it are most likely dead too (libpq only learns so on their next
    // use), so they go with it and the next callers connect afresh instead of failing one by one.
    std::vector<std::unique_ptr<pqxx::connection>> stale;
    {
        std::lock_guard<std::mutex> lock(mu_);
        stale.swap(idle_);
        open_ -= 1 + stale.size();
    }
    conn.reset();  // close outside the lock
    stale.clear();
    cv_.notify_all();
}

}  // namespace marketplace::db
