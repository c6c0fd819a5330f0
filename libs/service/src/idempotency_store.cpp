#include "marketplace/service/idempotency_store.hpp"

#include <pqxx/binarystring>

#include "marketplace/core/errors.hpp"
#include "marketplace/db/migration_runner.hpp"
#include "marketplace/db/statements.hpp"

namespace marketplace::service {
namespace {

constexpr char kAnonymousScope[] = "anonymous:";

}  // namespace

std::string IdempotencyScope(const IdempotentCall& call, std::string_view request_bytes) {
    if (!call.caller.empty()) return call.caller;
    std::string material = call.method;
    material.push_back('\0');
    material.append(request_bytes);
    return kAnonymousScope + db::Sha256Hex(material);
}

IdempotencyStore::IdempotencyStore(IdempotencyOptions options) : options_(std::move(options)) {
    if (options_.retention < kMinIdempotencyRetention) {
        throw std::invalid_argument("idempotency keys must be kept at least 24 hours");
    }
}

core::Clock::TimePoint IdempotencyStore::Now() const {
    return options_.clock ? options_.clock->Now() : std::chrono::system_clock::now();
}

std::optional<std::string> IdempotencyStore::Claim(pqxx::work& tx, const IdempotentCall& call,
                                                   std::string_view request_bytes) const {
    rpc::ValidateIdempotencyKey(call.key);
    const std::string request_hash = db::Sha256Hex(std::string(request_bytes));
    const std::string scope = IdempotencyScope(call, request_bytes);
    // A row can vanish between the INSERT and the SELECT only when a purge removes an expired
    // key right then; the next round claims it.
    for (int round = 0; round < 3; ++round) {
        const auto claimed =
            db::Exec(tx,
                     "INSERT INTO idempotency_keys (caller, idempotency_key, method, request_sha256, created_at) "
                     "VALUES ($1, $2, $3, decode($4, 'hex'), $5::timestamptz) "
                     "ON CONFLICT (caller, idempotency_key) DO NOTHING RETURNING 1",
                     scope, call.key, call.method, request_hash, core::FormatRfc3339(Now()));
        if (!claimed.empty()) return std::nullopt;

        const auto existing = db::Exec(tx,
                                       "SELECT method, encode(request_sha256, 'hex'), response FROM idempotency_keys "
                                       "WHERE caller = $1 AND idempotency_key = $2",
                                       scope, call.key);
        if (existing.empty()) continue;
        const auto row = existing[0];
        const auto stored_method = row[0].as<std::string>();
        if (stored_method != call.method) {
            throw core::Conflict("idempotency-key: already used for another method",
                                 "idempotency key reused: first " + stored_method + ", now " + call.method);
        }
        if (row[1].as<std::string>() != request_hash) {
            throw core::Conflict("idempotency-key: already used with a different request",
                                 "idempotency key reused with a different request for " + call.method);
        }
        if (row[2].is_null()) {
            throw std::logic_error("idempotency key claimed twice in one transaction for " + call.method);
        }
        return pqxx::binarystring(row[2]).str();
    }
    throw core::Unavailable("idempotency key is being purged; try again");
}

void IdempotencyStore::Complete(pqxx::work& tx, const IdempotentCall& call, std::string_view response_bytes) const {
    // An anonymous claim's scope hashes its request, which is not at hand here: the row this
    // transaction claimed is the one with the key and method whose response is still NULL (other
    // transactions' claims are invisible until they commit, and committed rows hold a response).
    const auto updated =
        db::Exec(tx,
                 "UPDATE idempotency_keys SET response = $3 "
                 "WHERE idempotency_key = $2 AND response IS NULL AND "
                 "      (CASE WHEN $1 = '' THEN starts_with(caller, $4) AND method = $5 ELSE caller = $1 END)",
                 call.caller, call.key, pqxx::binarystring(response_bytes.data(), response_bytes.size()),
                 std::string(kAnonymousScope), call.method);
    if (updated.affected_rows() != 1) {
        throw std::logic_error("idempotency key completed without a claim for " + call.method);
    }
}

std::size_t IdempotencyStore::Purge(pqxx::connection& conn, std::size_t batch_size) const {
    if (batch_size == 0) throw std::invalid_argument("Purge batch size must be positive");
    const std::string cutoff = core::FormatRfc3339(Now() - options_.retention);
    std::size_t total = 0;
    for (;;) {
        pqxx::work tx(conn);
        const auto deleted =
            db::Exec(tx,
                     "DELETE FROM idempotency_keys WHERE (caller, idempotency_key) IN ("
                     "  SELECT caller, idempotency_key FROM idempotency_keys WHERE created_at < $1::timestamptz "
                     "  LIMIT $2 FOR UPDATE SKIP LOCKED)",
                     cutoff, static_cast<long long>(batch_size));
        tx.commit();
        const auto n = static_cast<std::size_t>(deleted.affected_rows());
        total += n;
        if (n < batch_size) return total;
    }
}

}  // namespace marketplace::service
