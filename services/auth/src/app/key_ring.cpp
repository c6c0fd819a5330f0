#include "app/key_ring.hpp"

#include <sodium.h>

#include <pqxx/pqxx>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/tokens/verifier.hpp"
#include "storage/signing_keys.hpp"

namespace marketplace::auth {

KeyRing::KeyRing(service::Runtime& runtime, KeyRingOptions options)
    : runtime_(runtime), options_(std::move(options)), box_(options_.seed_key, options_.seed_key_previous) {}

bool KeyRing::InsertNewKey(pqxx::work& tx, const tokens::SigningKey& key) const {
    return storage::InsertCurrentKey(tx, key.public_key(), box_.Seal(key.seed()), runtime_.clock()->Now());
}

int KeyRing::SealSeeds() {
    return db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        tx.exec("SELECT pg_advisory_xact_lock(hashtextextended('auth.signing_keys.rotate', 0))");
        int sealed = 0;
        for (const auto& row : storage::SeedsToSeal(tx, box_.key_id())) {
            std::optional<std::string> seed = row.plaintext_seed;
            if (!seed && row.sealed) seed = box_.Open(*row.sealed);
            if (!seed) {
                throw std::runtime_error("signing key " + row.kid + ": its seed was sealed with seed key " +
                                         (row.sealed ? row.sealed->key_id : std::string("?")) +
                                         ", which is neither AUTH_SEED_KEY nor AUTH_SEED_KEY_PREVIOUS");
            }
            storage::StoreSealedSeed(tx, row.kid, box_.Seal(*seed));
            ++sealed;
        }
        if (sealed > 0) {
            core::log::Info("auth: signing-key seeds sealed with the current seed key",
                            {{"seeds", sealed}, {"seed_key_id", box_.key_id()}});
        }
        return sealed;
    });
}

void KeyRing::EnsureCurrentKey() {
    SealSeeds();
    const auto key = tokens::SigningKey::Generate();
    const bool created = db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { return InsertNewKey(tx, key); });
    if (created) core::log::Info("auth: created the first signing key", {{"kid", key.kid()}});
}

tokens::IssuedToken KeyRing::IssueAccessToken(pqxx::work& tx, const std::string& user_id, const std::string& role,
                                              std::int64_t session_epoch) const {
    auto stored = storage::CurrentKey(tx);
    if (!stored) throw core::Unavailable("no signing key yet; try again", "signing_keys has no current key");
    std::optional<tokens::SigningKey> key;
    {
        std::lock_guard lock(cached_mu_);
        if (cached_ && cached_->kid() == stored->kid) key = cached_;
    }
    if (!key) {
        std::optional<std::string> seed = stored->plaintext_seed;
        if (!seed && stored->sealed) seed = box_.Open(*stored->sealed);
        if (!seed) {
            throw std::runtime_error("the current signing key's seed does not open with AUTH_SEED_KEY (key " +
                                     stored->kid + ")");
        }
        key = tokens::SigningKey::FromSeed(stored->kid, *seed);
        sodium_memzero(seed->data(), seed->size());
        std::lock_guard lock(cached_mu_);
        cached_ = key;
    }
    const tokens::JwtIssuer issuer(*std::move(key), options_.issuer, options_.access_ttl, runtime_.clock());
    return issuer.IssueToken(user_id, role, session_epoch);
}

std::vector<tokens::PublicKey> KeyRing::VerificationKeys(pqxx::work& tx) const {
    return storage::VerificationKeys(tx, runtime_.clock()->Now() - options_.retention);
}

std::vector<tokens::PublicKey> KeyRing::VerificationKeys() const {
    return db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { return VerificationKeys(tx); });
}

v1::GetJwksResponse KeyRing::Jwks() const {
    v1::GetJwksResponse response;
    for (const auto& key : VerificationKeys()) *response.add_keys() = ToJwk(key);
    return response;
}

v1::RotateSigningKeyResponse KeyRing::Rotate(const rpc::IdempotentCall& call,
                                             const v1::RotateSigningKeyRequest& request) {
    const auto fresh = tokens::SigningKey::Generate();
    return db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        return runtime_.idempotency().Run<v1::RotateSigningKeyResponse>(tx, call, request, [&] {
            // Rotations take turns; each then sees the key the one before it made current.
            tx.exec("SELECT pg_advisory_xact_lock(hashtextextended('auth.signing_keys.rotate', 0))");
            const auto now = runtime_.clock()->Now();
            v1::RotateSigningKeyResponse response;
            if (auto current = storage::CurrentKey(tx, /*lock=*/true)) {
                storage::RetireKey(tx, current->kid, now);
                response.set_previous_kid(current->kid);
            }
            if (!InsertNewKey(tx, fresh)) {
                throw std::runtime_error("signing key rotation: a current key appeared concurrently");
            }
            *response.mutable_key() = ToJwk(fresh.public_key());
            core::log::Info("auth: signing key rotated",
                            {{"kid", fresh.kid()}, {"previous_kid", response.previous_kid()}});
            return response;
        });
    });
}

v1::RevokeSigningKeyResponse KeyRing::Revoke(const v1::RevokeSigningKeyRequest& request) {
    if (request.kid().empty()) throw core::InvalidArgument("kid", "is required");
    if (request.kid().size() > 64) throw core::InvalidArgument("kid", "must be at most 64 characters");
    const auto fresh = tokens::SigningKey::Generate();
    return db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        tx.exec("SELECT pg_advisory_xact_lock(hashtextextended('auth.signing_keys.rotate', 0))");
        const auto was_current = storage::RevokeKey(tx, request.kid(), runtime_.clock()->Now());
        if (!was_current) throw core::NotFound("signing key not found");
        if (*was_current && !InsertNewKey(tx, fresh)) {
            throw std::runtime_error("signing key revocation: a current key appeared concurrently");
        }
        const auto keys = storage::VerificationKeys(tx, runtime_.clock()->Now() - options_.retention);
        if (keys.empty()) throw std::runtime_error("signing key revocation: no current key");
        v1::RevokeSigningKeyResponse response;
        *response.mutable_current_key() = ToJwk(keys.front());
        core::log::Warn("auth: signing key revoked",
                        {{"kid", request.kid()}, {"was_current", *was_current}, {"current_kid", keys.front().kid}});
        return response;
    });
}

LocalTokenVerifier::LocalTokenVerifier(tokens::VerifierOptions options) {
    tokens::JwksVerifierOptions jwks;
    jwks.verify = std::move(options);
    jwks.min_refresh_interval = std::chrono::seconds(1);  // a local query, cheap
    // Other replicas' revocations and key changes reach this one within a second.
    jwks.background_refresh = std::chrono::seconds(1);
    verifier_ = std::make_unique<tokens::JwksVerifier>(
        [this] {
            const KeyRing* ring = ring_.load();
            if (ring == nullptr) throw std::runtime_error("the key ring is not attached yet");
            return ring->VerificationKeys();
        },
        jwks,
        [this] {
            // Held during the read, so Attach(nullptr) waits for a read in flight before the app goes.
            std::lock_guard lock(revocations_mu_);
            std::map<std::string, std::int64_t, std::less<>> out;
            if (!revocations_) return out;  // before start-up finished: nothing revoked can be presented yet
            const auto listed = revocations_();
            for (const auto& r : listed.revocations()) out[r.user_id()] = r.session_epoch();
            return out;
        });
}

void LocalTokenVerifier::Attach(const KeyRing* ring, RevocationSource revocations) {
    ring_.store(ring);
    std::lock_guard lock(revocations_mu_);
    revocations_ = std::move(revocations);
}

void LocalTokenVerifier::RefreshRevocations() const { verifier_->RefreshRevocations(); }

std::optional<rpc::Claims> LocalTokenVerifier::Verify(std::string_view bearer_token) const {
    return verifier_->Verify(bearer_token);
}

void LocalTokenVerifier::Refresh() const { verifier_->Refresh(); }

}  // namespace marketplace::auth
