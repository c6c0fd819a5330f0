#include "marketplace/service/stream_leases.hpp"

#include <pqxx/pqxx>

#include "marketplace/core/config.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::service {

StreamLimits StreamLimits::FromEnv(core::EnvReader& env, const std::string& prefix) {
    StreamLimits l;
    l.per_user = static_cast<int>(env.Int(prefix + "_MAX_PER_USER", l.per_user, 1, 1000));
    l.per_source = static_cast<int>(env.Int(prefix + "_MAX_PER_SOURCE", l.per_source, 0, 100000));
    l.ttl = env.Duration(prefix + "_LEASE_TTL", l.ttl, std::chrono::seconds(3), std::chrono::minutes(10));
    return l;
}

std::string StreamGatewaySecret(core::EnvReader& env, const std::string& prefix) {
    const std::string name = prefix + "_GATEWAY_SECRET";
    std::string secret = env.Secret(name, "");
    if (secret.empty()) {
        core::log::Warn(name +
                        " is not set: the client's address the gateway forwards is not believed, so the per-address "
                        "stream budget (STREAM_MAX_PER_SOURCE) is off; only the per-user bound holds");
    }
    return secret;
}

StreamLeases::StreamLeases(db::Pool& pool, std::shared_ptr<const core::Clock> clock, std::string kind,
                           StreamLimits limits)
    : pool_(pool), clock_(std::move(clock)), kind_(std::move(kind)), limits_(limits) {}

StreamLeases::StreamLeases(Runtime& runtime, std::string kind, StreamLimits limits)
    : StreamLeases(runtime.pool(), runtime.clock(), std::move(kind), limits) {
    runtime.OnRetention("stream_leases", &StreamLeases::PurgeLapsed);
}

std::unique_ptr<StreamLeases::Lease> StreamLeases::Acquire(const std::string& user_id, const std::string& source) {
    const std::string id = core::NewUuidV7();
    db::InTransaction(pool_, [&](pqxx::work& tx) {
        const auto now = clock_->Now();
        const std::string now_text = core::FormatRfc3339(now);
        // One admission at a time per user and per source (always in this order), across replicas.
        db::Exec(tx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "stream-user:" + kind_ + ":" + user_id);
        const bool budget = limits_.per_source > 0 && !source.empty();
        if (budget) {
            db::Exec(tx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                     "stream-source:" + kind_ + ":" + source);
        }
        const auto counts =
            db::Exec1(tx,
                      "SELECT count(*) FILTER (WHERE user_id = $2), count(*) FILTER (WHERE $4 AND source = $3) "
                      "FROM stream_leases WHERE kind = $1 AND (user_id = $2 OR ($4 AND source = $3)) "
                      "AND expires_at > $5::timestamptz",
                      kind_, user_id, source, budget, now_text);
        const auto for_user = counts[0].as<int>();
        const auto for_source = counts[1].as<int>();
        if (for_user >= limits_.per_user) {
            throw core::ResourceExhausted("too many open streams for this user (at most " +
                                          std::to_string(limits_.per_user) + "); close one and try again");
        }
        if (budget && for_source >= limits_.per_source) {
            throw core::ResourceExhausted("too many open streams from this address (at most " +
                                              std::to_string(limits_.per_source) + "); close one and try again",
                                          "stream budget of source " + source + " spent");
        }
        db::Exec(tx,
                 "INSERT INTO stream_leases (lease_id, kind, user_id, source, created_at, expires_at) "
                 "VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz)",
                 id, kind_, user_id, source, now_text, core::FormatRfc3339(now + limits_.ttl));
    });
    return std::unique_ptr<Lease>(new Lease(*this, id, user_id, source));
}

int StreamLeases::OpenForUser(const std::string& user_id) {
    return db::InTransaction(pool_, [&](pqxx::work& tx) {
        return db::Exec1(tx,
                         "SELECT count(*) FROM stream_leases WHERE kind = $1 AND user_id = $2 "
                         "AND expires_at > $3::timestamptz",
                         kind_, user_id, core::FormatRfc3339(clock_->Now()))[0]
            .as<int>();
    });
}

int StreamLeases::OpenForSource(const std::string& source) {
    return db::InTransaction(pool_, [&](pqxx::work& tx) {
        return db::Exec1(tx,
                         "SELECT count(*) FROM stream_leases WHERE kind = $1 AND source = $2 "
                         "AND expires_at > $3::timestamptz",
                         kind_, source, core::FormatRfc3339(clock_->Now()))[0]
            .as<int>();
    });
}

std::int64_t StreamLeases::PurgeLapsed(pqxx::work& tx, core::Clock::TimePoint now, int batch) {
    return static_cast<std::int64_t>(
        db::Exec(tx,
                 "DELETE FROM stream_leases WHERE lease_id IN (SELECT lease_id FROM stream_leases "
                 "WHERE expires_at <= $1::timestamptz LIMIT $2 FOR UPDATE SKIP LOCKED)",
                 core::FormatRfc3339(now), static_cast<long long>(batch))
            .affected_rows());
}

void StreamLeases::Renew(const Lease& lease) {
    db::InTransaction(pool_, [&](pqxx::work& tx) {
        const auto now = clock_->Now();
        // A lease purged while it could not be renewed (a database outage) is taken again: the stream
        // is still open.
        db::Exec(tx,
                 "INSERT INTO stream_leases (lease_id, kind, user_id, source, created_at, expires_at) "
                 "VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz) "
                 "ON CONFLICT (lease_id) DO UPDATE SET expires_at = EXCLUDED.expires_at",
                 lease.id_, kind_, lease.user_id_, lease.source_, core::FormatRfc3339(now),
                 core::FormatRfc3339(now + limits_.ttl));
    });
}

void StreamLeases::Release(const std::string& id) noexcept {
    try {
        db::InTransaction(pool_,
                          [&](pqxx::work& tx) { db::Exec(tx, "DELETE FROM stream_leases WHERE lease_id = $1", id); });
    } catch (const std::exception& e) {
        // It lapses by itself after the ttl.
        core::log::Warn("stream lease not released; it lapses by itself", {{"lease_id", id}, {"error", e.what()}});
    }
}

StreamLeases::Lease::Lease(StreamLeases& owner, std::string id, std::string user_id, std::string source)
    : owner_(owner),
      id_(std::move(id)),
      user_id_(std::move(user_id)),
      source_(std::move(source)),
      renewed_(std::chrono::steady_clock::now()) {}

StreamLeases::Lease::~Lease() { owner_.Release(id_); }

void StreamLeases::Lease::KeepAlive() {
    const auto now = std::chrono::steady_clock::now();
    if (now - renewed_ < owner_.limits_.ttl / 3) return;
    owner_.Renew(*this);
    renewed_ = now;
}

}  // namespace marketplace::service
