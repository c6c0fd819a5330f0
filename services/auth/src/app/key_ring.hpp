#pragma once
// The signing keys of the auth service: the current key signs access tokens; after a rotation the
// previous keys keep verifying (and stay in the JWKS) for the retention, which outlasts every token
// they signed, so nobody is logged out. Keys live in the signing_keys table; production would keep
// the private halves in a KMS.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "marketplace/auth/jwt.hpp"
#include "marketplace/auth/v1/auth.pb.h"
#include "marketplace/auth/verifier.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::auth {

struct KeyRingOptions {
    std::string issuer = kDefaultIssuer;
    std::chrono::seconds access_ttl = kDefaultAccessTokenTtl;
    std::chrono::seconds retention = std::chrono::hours(24);
};

class KeyRing final {
public:
    KeyRing(service::Runtime& runtime, KeyRingOptions options);

    /// Creates the first key unless there is a current one (at start; safe with several replicas).
    void EnsureCurrentKey();
    /// An access token signed with the current key, read in `tx`.
    IssuedToken IssueAccessToken(pqxx::work& tx, const std::string& user_id, const std::string& role) const;
    /// The keys that verify tokens now (current first), in `tx` or in a transaction of its own.
    std::vector<PublicKey> VerificationKeys(pqxx::work& tx) const;
    std::vector<PublicKey> VerificationKeys() const;

    /// GetJwks.
    v1::GetJwksResponse Jwks() const;
    /// RotateSigningKey (the caller is an admin): a new current key; the old one retires.
    v1::RotateSigningKeyResponse Rotate(const rpc::IdempotentCall& call, const v1::RotateSigningKeyRequest& request);

    const KeyRingOptions& options() const noexcept { return options_; }

private:
    service::Runtime& runtime_;
    KeyRingOptions options_;
};

/// The auth service's own token verifier: the JWKS logic over its own key table instead of a
/// GetJwks call. It exists before the Runtime (which takes it in its server options) and is
/// attached to the KeyRing once that exists; until then tokens cannot be verified (UNAVAILABLE).
class LocalTokenVerifier final : public rpc::TokenVerifier {
public:
    explicit LocalTokenVerifier(VerifierOptions options);
    void Attach(const KeyRing* ring);
    std::optional<rpc::Claims> Verify(std::string_view bearer_token) const override;
    /// Rereads the keys now (after a rotation in this process).
    void Refresh() const;

private:
    std::atomic<const KeyRing*> ring_{nullptr};
    std::unique_ptr<JwksVerifier> verifier_;
};

}  // namespace marketplace::auth
