#pragma once
// The signing keys of the auth service: the current key signs access tokens; after a rotation the
// previous keys keep verifying (and stay in the JWKS) for the retention, which outlasts every token
// they signed, so nobody is logged out. Keys live in the signing_keys table; production would keep
// the private halves in a KMS.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/seed_box.hpp"
#include "marketplace/auth/v1/auth.pb.h"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/tokens/jwt.hpp"
#include "marketplace/tokens/verifier.hpp"

namespace marketplace::auth {

struct KeyRingOptions {
    std::string issuer = tokens::kDefaultIssuer;
    std::chrono::seconds access_ttl = tokens::kDefaultAccessTokenTtl;
    std::chrono::seconds retention = std::chrono::hours(24);
    /// AUTH_SEED_KEY (32 bytes) and, during its rotation, AUTH_SEED_KEY_PREVIOUS (or empty).
    std::string seed_key;
    std::string seed_key_previous;
};

class KeyRing final {
public:
    KeyRing(service::Runtime& runtime, KeyRingOptions options);

    /// At start: seals every seed still in plaintext or sealed by the previous seed key with the
    /// current seed key (throws std::runtime_error, naming AUTH_SEED_KEY, for a seed neither key
    /// opens), then creates the first key unless there is a current one. Safe with several replicas.
    void EnsureCurrentKey();
    /// Seals the seeds as EnsureCurrentKey does; returns how many it (re)sealed.
    int SealSeeds();
    /// An access token signed with the current key, read in `tx`.
    tokens::IssuedToken IssueAccessToken(pqxx::work& tx, const std::string& user_id, const std::string& role,
                                         std::int64_t session_epoch) const;
    /// The keys that verify tokens now (current first), in `tx` or in a transaction of its own.
    std::vector<tokens::PublicKey> VerificationKeys(pqxx::work& tx) const;
    std::vector<tokens::PublicKey> VerificationKeys() const;

    /// GetJwks.
    v1::GetJwksResponse Jwks() const;
    /// RotateSigningKey (the caller is an admin): a new current key; the old one retires.
    v1::RotateSigningKeyResponse Rotate(const rpc::IdempotentCall& call, const v1::RotateSigningKeyRequest& request);
    /// RevokeSigningKey (the caller is an admin): the key leaves the JWKS at once and its seed is
    /// erased; when it was current a new key takes over. NOT_FOUND for an unknown kid; revoking a
    /// revoked key again changes nothing.
    v1::RevokeSigningKeyResponse Revoke(const v1::RevokeSigningKeyRequest& request);

    const KeyRingOptions& options() const noexcept { return options_; }

private:
    /// Inserts a new current key (sealed); false when one already is current.
    bool InsertNewKey(pqxx::work& tx, const tokens::SigningKey& key) const;

    service::Runtime& runtime_;
    KeyRingOptions options_;
    SeedBox box_;
    // The current key, opened once: signing needs no secretbox per token, and a replica started
    // before a seed-key rotation keeps signing while the new replicas reseal the seed.
    mutable std::mutex cached_mu_;
    mutable std::optional<tokens::SigningKey> cached_;  // guarded by cached_mu_
};

/// The auth service's own token verifier: the JWKS logic over its own key table instead of a
/// GetJwks call. It exists before the Runtime (which takes it in its server options) and is
/// attached to the KeyRing once that exists; until then tokens cannot be verified (UNAVAILABLE).
class LocalTokenVerifier final : public rpc::TokenVerifier {
public:
    /// Revocations of sessions, read from auth's own tables (Accounts::ListSessionRevocations).
    using RevocationSource = std::function<v1::ListSessionRevocationsResponse()>;

    explicit LocalTokenVerifier(tokens::VerifierOptions options);
    void Attach(const KeyRing* ring, RevocationSource revocations = {});
    std::optional<rpc::Claims> Verify(std::string_view bearer_token) const override;
    /// Rereads the keys now (after a rotation or revocation in this process).
    void Refresh() const;
    /// Rereads the session revocations now (after one in this process).
    void RefreshRevocations() const;

private:
    std::atomic<const KeyRing*> ring_{nullptr};
    std::mutex revocations_mu_;
    RevocationSource revocations_;  // guarded by revocations_mu_
    std::unique_ptr<tokens::JwksVerifier> verifier_;
};

}  // namespace marketplace::auth
