#include "storage/signing_keys.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "storage/sql.hpp"

namespace marketplace::auth::storage {

bool InsertCurrentKey(pqxx::work& tx, const SigningKey& key, core::Clock::TimePoint now) {
    const auto pub = key.public_key();
    const std::string pub_bytes(reinterpret_cast<const char*>(pub.bytes.data()), pub.bytes.size());
    const auto r = tx.exec_params(
        "INSERT INTO signing_keys (kid, public_key, seed, created_at) "
        "VALUES ($1, decode($2, 'hex'), decode($3, 'hex'), $4::timestamptz) ON CONFLICT DO NOTHING RETURNING kid",
        key.kid(), Hex(pub_bytes), Hex(key.seed()), Ts(now));
    return !r.empty();
}

std::optional<SigningKey> CurrentKey(pqxx::work& tx, bool lock) {
    const auto r = tx.exec(std::string("SELECT kid, encode(seed, 'hex') FROM signing_keys WHERE retired_at IS NULL") +
                           (lock ? " FOR UPDATE" : ""));
    if (r.empty()) return std::nullopt;
    return SigningKey::FromSeed(r[0][0].as<std::string>(), Unhex(r[0][1].as<std::string>()));
}

void RetireKey(pqxx::work& tx, const std::string& kid, core::Clock::TimePoint now) {
    tx.exec_params("UPDATE signing_keys SET retired_at = $2::timestamptz, seed = NULL WHERE kid = $1", kid, Ts(now));
}

std::vector<PublicKey> VerificationKeys(pqxx::work& tx, core::Clock::TimePoint retired_after) {
    const auto r = tx.exec_params(
        "SELECT kid, encode(public_key, 'hex') FROM signing_keys "
        "WHERE retired_at IS NULL OR retired_at > $1::timestamptz "
        "ORDER BY retired_at DESC NULLS FIRST, created_at DESC",
        Ts(retired_after));
    std::vector<PublicKey> keys;
    for (const auto& row : r) {
        PublicKey key;
        key.kid = row[0].as<std::string>();
        const std::string bytes = Unhex(row[1].as<std::string>());
        std::copy(bytes.begin(), bytes.end(), key.bytes.begin());
        keys.push_back(std::move(key));
    }
    return keys;
}

}  // namespace marketplace::auth::storage
