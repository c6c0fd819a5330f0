#include "storage/signing_keys.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"
#include "storage/sql.hpp"

namespace marketplace::auth::storage {
namespace {

constexpr char kKeyColumns[] = "kid, encode(sealed_seed, 'hex'), seed_key_id, encode(seed, 'hex')";

StoredKey ReadKey(const pqxx::row& row) {
    StoredKey key;
    key.kid = row[0].as<std::string>();
    if (!row[1].is_null()) key.sealed = SealedSeed{row[2].as<std::string>(), Unhex(row[1].as<std::string>())};
    if (!row[3].is_null()) key.plaintext_seed = Unhex(row[3].as<std::string>());
    return key;
}

}  // namespace

bool InsertCurrentKey(pqxx::work& tx, const tokens::PublicKey& key, const SealedSeed& seed,
                      core::Clock::TimePoint now) {
    const std::string pub_bytes(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size());
    const auto r = db::Exec(
        tx,
        "INSERT INTO signing_keys (kid, public_key, sealed_seed, seed_key_id, created_at) "
        "VALUES ($1, decode($2, 'hex'), decode($3, 'hex'), $4, $5::timestamptz) ON CONFLICT DO NOTHING RETURNING kid",
        key.kid, Hex(pub_bytes), Hex(seed.bytes), seed.key_id, db::TimeParam(now));
    return !r.empty();
}

std::optional<StoredKey> CurrentKey(pqxx::work& tx, bool lock) {
    const auto r = tx.exec(std::string("SELECT ") + kKeyColumns + " FROM signing_keys WHERE retired_at IS NULL" +
                           (lock ? " FOR UPDATE" : ""));
    if (r.empty()) return std::nullopt;
    return ReadKey(r[0]);
}

void RetireKey(pqxx::work& tx, const std::string& kid, core::Clock::TimePoint now) {
    db::Exec(
        tx,
        "UPDATE signing_keys SET retired_at = $2::timestamptz, seed = NULL, sealed_seed = NULL, seed_key_id = NULL "
        "WHERE kid = $1",
        kid, db::TimeParam(now));
}

std::vector<tokens::PublicKey> VerificationKeys(pqxx::work& tx, core::Clock::TimePoint retired_after) {
    const auto r = db::Exec(tx,
                            "SELECT kid, encode(public_key, 'hex') FROM signing_keys "
                            "WHERE revoked_at IS NULL AND (retired_at IS NULL OR retired_at > $1::timestamptz) "
                            "ORDER BY retired_at DESC NULLS FIRST, created_at DESC",
                            db::TimeParam(retired_after));
    std::vector<tokens::PublicKey> keys;
    for (const auto& row : r) {
        tokens::PublicKey key;
        key.kid = row[0].as<std::string>();
        const std::string bytes = Unhex(row[1].as<std::string>());
        std::copy(bytes.begin(), bytes.end(), key.bytes.begin());
        keys.push_back(std::move(key));
    }
    return keys;
}

std::vector<StoredKey> SeedsToSeal(pqxx::work& tx, const std::string& key_id) {
    const auto r = db::Exec(tx,
                            std::string("SELECT ") + kKeyColumns +
                                " FROM signing_keys WHERE seed IS NOT NULL "
                                "OR (sealed_seed IS NOT NULL AND seed_key_id <> $1) ORDER BY kid FOR UPDATE",
                            key_id);
    std::vector<StoredKey> out;
    for (const auto& row : r) out.push_back(ReadKey(row));
    return out;
}

void StoreSealedSeed(pqxx::work& tx, const std::string& kid, const SealedSeed& seed) {
    db::Exec(tx,
             "UPDATE signing_keys SET seed = NULL, sealed_seed = decode($2, 'hex'), seed_key_id = $3 WHERE kid = $1",
             kid, Hex(seed.bytes), seed.key_id);
}

std::optional<bool> RevokeKey(pqxx::work& tx, const std::string& kid, core::Clock::TimePoint now) {
    const auto r = db::Exec(tx, "SELECT retired_at IS NULL FROM signing_keys WHERE kid = $1 FOR UPDATE", kid);
    if (r.empty()) return std::nullopt;
    const bool current = r[0][0].as<bool>();
    db::Exec(tx,
             "UPDATE signing_keys SET revoked_at = COALESCE(revoked_at, $2::timestamptz), "
             "retired_at = COALESCE(retired_at, $2::timestamptz), seed = NULL, sealed_seed = NULL, seed_key_id = NULL "
             "WHERE kid = $1",
             kid, db::TimeParam(now));
    return current;
}

}  // namespace marketplace::auth::storage
