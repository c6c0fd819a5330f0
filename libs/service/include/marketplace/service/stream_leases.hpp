#pragma once
// Limits on open server streams (live feeds) that hold across every replica of a service
// (docs/ARCHITECTURE.md, "Live streams"). Each open stream holds a lease, a row in the service's
// stream_leases table: at most `per_user` per user and `per_source` per source address (the
// client's address as the gateway forwards it, rpc::ClientAddressOf), counted in the database, so
// a user or an address cannot hold more by spreading its streams over replicas. A stream renews its
// lease while it is open (KeepAlive, at most every ttl/3) and the lease is deleted when the stream
// ends; the leases of a replica that died lapse after `ttl` and stop counting.
//
// Acquiring serializes on the user and the source (transaction-scoped advisory locks), so two
// replicas admitting streams at the same moment cannot both take the last slot.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"
#include "marketplace/db/pool.hpp"

namespace marketplace::core {
class EnvReader;
}

namespace marketplace::service {

class Runtime;

struct StreamLimits {
    /// <PREFIX>_MAX_PER_USER: streams one user may hold open, across replicas (devices, tabs).
    int per_user = 8;
    /// <PREFIX>_MAX_PER_SOURCE: streams one source address may hold open, across replicas and users.
    /// 0 turns the budget off.
    int per_source = 64;
    /// <PREFIX>_LEASE_TTL: how long a lease counts without being renewed.
    std::chrono::milliseconds ttl{std::chrono::seconds(30)};

    /// Reads <prefix>_MAX_PER_USER (1..1000), <prefix>_MAX_PER_SOURCE (0..100000) and
    /// <prefix>_LEASE_TTL (3 s..10 min), with the defaults above.
    static StreamLimits FromEnv(core::EnvReader& env, const std::string& prefix);
};

/// <prefix>_GATEWAY_SECRET (or _FILE): the gateway's forwarding secret (GATEWAY_FORWARDING_SECRET), so
/// the client address the gateway forwards counts for the per-source budget. Empty when unset, with
/// a warning naming the variable: without it every client would look like the gateway, so the
/// budget is off and only the per-user bound holds.
std::string StreamGatewaySecret(core::EnvReader& env, const std::string& prefix);

class StreamLeases final {
public:
    /// `kind` names the streams counted together ("notifications", "workroom").
    StreamLeases(db::Pool& pool, std::shared_ptr<const core::Clock> clock, std::string kind, StreamLimits limits);

    /// Also purges lapsed leases in the runtime's retention job.
    StreamLeases(Runtime& runtime, std::string kind, StreamLimits limits);

    /// One open stream's slot; gives it back when destroyed.
    class Lease final {
    public:
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;

        /// Renews the lease when a third of its ttl has passed since the last renewal (a lease that
        /// lapsed meanwhile, after a database outage, is taken again). Throws on database errors.
        void KeepAlive();
        const std::string& id() const noexcept { return id_; }

    private:
        friend class StreamLeases;
        Lease(StreamLeases& owner, std::string id, std::string user_id, std::string source);
        StreamLeases& owner_;
        std::string id_;
        std::string user_id_;
        std::string source_;
        std::chrono::steady_clock::time_point renewed_;
    };

    /// Takes a slot for a stream of `user_id` from `source` (empty: unknown, only the per-user limit
    /// applies). Throws core::ResourceExhausted naming the limit when the user or the source holds
    /// as many as allowed.
    std::unique_ptr<Lease> Acquire(const std::string& user_id, const std::string& source);

    /// Open streams of a user / a source, as counted now (live leases only).
    int OpenForUser(const std::string& user_id);
    int OpenForSource(const std::string& source);

    /// Deletes at most `batch` leases that lapsed before `now`; returns how many.
    static std::int64_t PurgeLapsed(pqxx::work& tx, core::Clock::TimePoint now, int batch);

    const StreamLimits& limits() const noexcept { return limits_; }

private:
    void Renew(const Lease& lease);
    void Release(const std::string& id) noexcept;

    db::Pool& pool_;
    std::shared_ptr<const core::Clock> clock_;
    std::string kind_;
    StreamLimits limits_;
};

}  // namespace marketplace::service
