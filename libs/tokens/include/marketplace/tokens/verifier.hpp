#pragma once
// Token verifiers for rpc::ServerOptions::token_verifier.
//
//   StaticKeyVerifier  a fixed set of public keys (tests, or keys from configuration).
//   JwksVerifier       the keys AuthService.GetJwks serves, cached; an unknown kid triggers a refetch,
//                      at most once per min_refresh_interval, so a rotated key is picked up at once and
//                      a flood of forged kids cannot flood the auth service. Thread-safe.
//                      With background_refresh set, a thread of its own refetches the keys and the
//                      session revocations (AuthService.ListSessionRevocations: users whose session
//                      epoch rose within an access token's lifetime) every interval, so a revoked key
//                      leaves and a revoked session's tokens are refused within that interval plus one
//                      fetch. With fetch_inline off, verification never calls auth on the caller's
//                      thread (the gateway's I/O threads): an unknown kid wakes the thread and is
//                      answered core::Unavailable ("try again") until that fetch has finished.
//                      It remembers the tokens it accepted (at most kMaxRememberedTokens, by their
//                      exact text), so a token presented again skips the Ed25519 signature check:
//                      its expiry, its key still being listed and the session revocations are
//                      checked again on every call.
//
//   auto channel = rpc::CreateChannel(rpc::ChannelOptions::FromEnv(env, "AUTH", "127.0.0.1:7101"));
//   options.server.token_verifier = std::make_shared<tokens::JwksVerifier>(channel);
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "marketplace/auth/v1/auth.pb.h"
#include "marketplace/rpc/auth.hpp"
#include "marketplace/rpc/client.hpp"
#include "marketplace/tokens/jwt.hpp"
#include "marketplace/tokens/signing_key.hpp"

namespace grpc {
class Channel;
}  // namespace grpc

namespace marketplace::tokens {

/// The JWK of a public key: {kid, kty "OKP", crv "Ed25519", x, alg "EdDSA", use "sig"}.
auth::v1::Jwk ToJwk(const PublicKey& key);
/// The public key of a JWK, or nullopt unless it is an Ed25519 OKP key (alg EdDSA or absent, use
/// sig or absent) with a kid and a 32-byte x.
std::optional<PublicKey> PublicKeyFromJwk(const auth::v1::Jwk& jwk);

class StaticKeyVerifier final : public rpc::TokenVerifier {
public:
    explicit StaticKeyVerifier(std::vector<PublicKey> keys, VerifierOptions options = {});

    std::optional<rpc::Claims> Verify(std::string_view bearer_token) const override;
    /// The same with the reason for a rejection.
    Verification Check(std::string_view bearer_token) const;

private:
    std::map<std::string, PublicKey, std::less<>> keys_;
    VerifierOptions options_;
};

struct JwksVerifierOptions {
    VerifierOptions verify;
    /// Refetches caused by an unknown kid or old keys, and failed fetches, happen at most this often
    /// (measured with verify.clock). The first successful load and Refresh() do not count, so a key
    /// rotated right after start-up is still picked up at once.
    std::chrono::milliseconds min_refresh_interval{5'000};
    /// Keys older than this are refetched on the next verification (failures keep the old ones).
    std::chrono::milliseconds max_key_age{10 * 60'000};
    /// Deadline of one GetJwks call.
    std::chrono::milliseconds fetch_timeout{2'000};
    /// When positive, a background thread refetches the keys and the revocations this often (and at
    /// once when woken). Zero: no thread, no revocations (keys are fetched on the caller's thread).
    std::chrono::milliseconds background_refresh{0};
    /// Whether a verification may fetch on the caller's thread (needs background_refresh when off).
    bool fetch_inline = true;
};

/// How often services and the gateway refetch keys and revocations by default: a revoked session's
/// or key's tokens are refused everywhere within this plus one fetch (AUTH_TOKEN_REFRESH overrides).
inline constexpr std::chrono::milliseconds kDefaultTokenStateRefresh{5'000};

class JwksVerifier final : public rpc::TokenVerifier {
public:
    /// Returns the current keys or throws (any exception counts as a failed fetch).
    using Fetcher = std::function<std::vector<PublicKey>()>;
    /// Returns user id -> lowest session epoch still valid, for users revoked recently; or throws.
    using RevocationFetcher = std::function<std::map<std::string, std::int64_t, std::less<>>()>;

    /// Fetches from AuthService.GetJwks and ListSessionRevocations over `auth_channel`.
    explicit JwksVerifier(std::shared_ptr<grpc::Channel> auth_channel, JwksVerifierOptions options = {});
    /// Fetches with `fetcher` (the auth service itself reads its key table this way), and the
    /// revocations with `revocations` when given.
    explicit JwksVerifier(Fetcher fetcher, JwksVerifierOptions options = {}, RevocationFetcher revocations = {});
    ~JwksVerifier() override;

    /// Claims of a valid token, nullopt for a rejected one. Throws core::Unavailable when no key has
    /// ever been fetched and fetching fails now (the auth service is down: not the caller's fault).
    std::optional<rpc::Claims> Verify(std::string_view bearer_token) const override;
    /// The same with the reason for a rejection.
    Verification Check(std::string_view bearer_token) const;

    /// Fetches the keys now regardless of the refresh interval (e.g. at start-up). Returns whether
    /// the fetch succeeded.
    bool Refresh() const;
    /// How many fetches were attempted so far.
    std::size_t fetch_count() const;
    /// The kids currently cached.
    std::vector<std::string> cached_kids() const;
    /// Fetches the revocations now; returns whether it succeeded (a failure keeps the old ones).
    bool RefreshRevocations() const;
    /// The lowest valid session epoch cached for `user_id` (0 when none is listed).
    std::int64_t MinimumEpoch(std::string_view user_id) const;
    /// How many accepted tokens are remembered now.
    std::size_t remembered_tokens() const;

    /// Accepted tokens remembered at most (the memory is emptied when full), and the longest one.
    static constexpr std::size_t kMaxRememberedTokens = 10000;
    static constexpr std::size_t kMaxRememberedTokenBytes = 4096;

private:
    struct State;
    /// VerifyJwt, skipping the signature for a token accepted before (see the class comment).
    Verification VerifyRemembered(std::string_view bearer_token, const KeyLookup& lookup) const;
    bool RefreshLocked(bool force, std::uint64_t seen_generation, bool background = false) const;
    core::Clock::TimePoint Now() const;
    void RunBackground() const;
    void Wake() const;

    Fetcher fetcher_;
    RevocationFetcher revocations_;
    JwksVerifierOptions options_;
    std::unique_ptr<State> state_;
};

/// Fetches the session revocations from AuthService.ListSessionRevocations over `channel`. Throws
/// core::Unavailable when the call fails.
std::map<std::string, std::int64_t, std::less<>> FetchRevocations(grpc::Channel& channel,
                                                                  std::chrono::milliseconds timeout);

/// Fetches the public keys from AuthService.GetJwks over `channel` (used by JwksVerifier). Throws
/// core::Unavailable when the call fails.
std::vector<PublicKey> FetchJwks(grpc::Channel& channel, std::chrono::milliseconds timeout);

/// The verifier a service's main() installs: the JWKS of the auth service at `auth` (its channel
/// options, e.g. from AUTH_GRPC_TARGET), with token expiry judged by `clock` — the same clock as the
/// rest of the service — and keys and session revocations refetched every `refresh` in the background.
std::shared_ptr<const rpc::TokenVerifier> ServiceTokenVerifier(
    const rpc::ChannelOptions& auth, std::shared_ptr<const core::Clock> clock,
    std::chrono::milliseconds refresh = kDefaultTokenStateRefresh);

}  // namespace marketplace::tokens
