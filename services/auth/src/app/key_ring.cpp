#include "app/key_ring.hpp"

#include <pqxx/pqxx>

#include "marketplace/auth/verifier.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/db/transaction.hpp"
#include "storage/signing_keys.hpp"

namespace marketplace::auth {

KeyRing::KeyRing(service::Runtime& runtime, KeyRingOptions options) : runtime_(runtime), options_(std::move(options)) {}

void KeyRing::EnsureCurrentKey() {
    const auto key = SigningKey::Generate();
    const bool created = db::InTransaction(
        runtime_.pool(), [&](pqxx::work& tx) { return storage::InsertCurrentKey(tx, key, runtime_.clock()->Now()); });
    if (created) core::log::Info("auth: created the first signing key", {{"kid", key.kid()}});
}

IssuedToken KeyRing::IssueAccessToken(pqxx::work& tx, const std::string& user_id, const std::string& role) const {
    auto key = storage::CurrentKey(tx);
    if (!key) throw core::Unavailable("no signing key yet; try again", "signing_keys has no current key");
    const JwtIssuer issuer(*std::move(key), options_.issuer, options_.access_ttl, runtime_.clock());
    return issuer.IssueToken(user_id, role);
}

std::vector<PublicKey> KeyRing::VerificationKeys(pqxx::work& tx) const {
    return storage::VerificationKeys(tx, runtime_.clock()->Now() - options_.retention);
}

std::vector<PublicKey> KeyRing::VerificationKeys() const {
    return db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) { return VerificationKeys(tx); });
}

v1::GetJwksResponse KeyRing::Jwks() const {
    v1::GetJwksResponse response;
    for (const auto& key : VerificationKeys()) *response.add_keys() = ToJwk(key);
    return response;
}

v1::RotateSigningKeyResponse KeyRing::Rotate(const rpc::IdempotentCall& call,
                                             const v1::RotateSigningKeyRequest& request) {
    const auto fresh = SigningKey::Generate();
    return db::InTransaction(runtime_.pool(), [&](pqxx::work& tx) {
        return runtime_.idempotency().Run<v1::RotateSigningKeyResponse>(tx, call, request, [&] {
            // Rotations take turns; each then sees the key the one before it made current.
            tx.exec("SELECT pg_advisory_xact_lock(hashtextextended('auth.signing_keys.rotate', 0))");
            const auto now = runtime_.clock()->Now();
            v1::RotateSigningKeyResponse response;
            if (auto current = storage::CurrentKey(tx, /*lock=*/true)) {
                storage::RetireKey(tx, current->kid(), now);
                response.set_previous_kid(current->kid());
            }
            if (!storage::InsertCurrentKey(tx, fresh, now)) {
                throw std::runtime_error("signing key rotation: a current key appeared concurrently");
            }
            *response.mutable_key() = ToJwk(fresh.public_key());
            core::log::Info("auth: signing key rotated",
                            {{"kid", fresh.kid()}, {"previous_kid", response.previous_kid()}});
            return response;
        });
    });
}

LocalTokenVerifier::LocalTokenVerifier(VerifierOptions options) {
    JwksVerifierOptions jwks;
    jwks.verify = std::move(options);
    jwks.min_refresh_interval = std::chrono::seconds(1);  // a local query, cheap
    verifier_ = std::make_unique<JwksVerifier>(
        [this] {
            const KeyRing* ring = ring_.load();
            if (ring == nullptr) throw std::runtime_error("the key ring is not attached yet");
            return ring->VerificationKeys();
        },
        jwks);
}

void LocalTokenVerifier::Attach(const KeyRing* ring) { ring_.store(ring); }

std::optional<rpc::Claims> LocalTokenVerifier::Verify(std::string_view bearer_token) const {
    return verifier_->Verify(bearer_token);
}

void LocalTokenVerifier::Refresh() const { verifier_->Refresh(); }

}  // namespace marketplace::auth
