#pragma once
// SQL for the signing keys. Exactly one key is current; its seed is stored sealed (domain/seed_box.hpp);
// retired keys keep only their public half; revoked keys are out of the JWKS.
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/seed_box.hpp"
#include "marketplace/core/clock.hpp"
#include "marketplace/tokens/signing_key.hpp"

namespace marketplace::auth::storage {

/// A key's row with its private half as stored: sealed, or (before the sealing at start) plaintext.
struct StoredKey {
    std::string kid;
    std::optional<SealedSeed> sealed;
    std::optional<std::string> plaintext_seed;
};

/// Inserts a key with its sealed seed as the current key unless there already is one; returns whether
/// it was inserted.
bool InsertCurrentKey(pqxx::work& tx, const tokens::PublicKey& key, const SealedSeed& seed, core::Clock::TimePoint now);
/// The current key's row; `lock` takes it FOR UPDATE. nullopt when there is none.
std::optional<StoredKey> CurrentKey(pqxx::work& tx, bool lock = false);
/// Retires a key: it stops signing and its seed is erased.
void RetireKey(pqxx::work& tx, const std::string& kid, core::Clock::TimePoint now);
/// The keys that verify tokens: the current one first, then those retired after `retired_after`,
/// most recently retired first; never a revoked one.
std::vector<tokens::PublicKey> VerificationKeys(pqxx::work& tx, core::Clock::TimePoint retired_after);

/// Rows whose seed is plaintext, or sealed by another seed key than `key_id`, locked.
std::vector<StoredKey> SeedsToSeal(pqxx::work& tx, const std::string& key_id);
/// Stores `seed` as the key's sealed seed and erases any plaintext.
void StoreSealedSeed(pqxx::work& tx, const std::string& kid, const SealedSeed& seed);

/// Revokes a key (retired too, seed erased). Returns nullopt for an unknown kid, else whether it was
/// the current key.
std::optional<bool> RevokeKey(pqxx::work& tx, const std::string& kid, core::Clock::TimePoint now);

}  // namespace marketplace::auth::storage
