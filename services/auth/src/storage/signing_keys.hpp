#pragma once
// SQL for the signing keys. Exactly one key is current; retired keys keep only their public half.
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/auth/signing_key.hpp"
#include "marketplace/core/clock.hpp"

namespace marketplace::auth::storage {

/// Inserts `key` as the current key unless there already is one; returns whether it was inserted.
bool InsertCurrentKey(pqxx::work& tx, const SigningKey& key, core::Clock::TimePoint now);
/// The current key with its private half; `lock` takes its row FOR UPDATE. nullopt when there is none.
std::optional<SigningKey> CurrentKey(pqxx::work& tx, bool lock = false);
/// Retires a key: it stops signing and its seed is erased.
void RetireKey(pqxx::work& tx, const std::string& kid, core::Clock::TimePoint now);
/// The keys that verify tokens: the current one first, then those retired after `retired_after`,
/// most recently retired first.
std::vector<PublicKey> VerificationKeys(pqxx::work& tx, core::Clock::TimePoint retired_after);

}  // namespace marketplace::auth::storage
