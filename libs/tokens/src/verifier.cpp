#include "marketplace/tokens/verifier.hpp"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "marketplace/auth/v1/auth.grpc.pb.h"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/log.hpp"
#include "marketplace/rpc/client.hpp"
#include "marketplace/tokens/base64url.hpp"

namespace marketplace::tokens {

auth::v1::Jwk ToJwk(const PublicKey& key) {
    auth::v1::Jwk jwk;
    jwk.set_kid(key.kid);
    jwk.set_kty("OKP");
    jwk.set_crv("Ed25519");
    jwk.set_x(Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size())));
    jwk.set_alg("EdDSA");
    jwk.set_use("sig");
    return jwk;
}

std::optional<PublicKey> PublicKeyFromJwk(const auth::v1::Jwk& jwk) {
    if (jwk.kid().empty() || jwk.kty() != "OKP" || jwk.crv() != "Ed25519") return std::nullopt;
    if (!jwk.alg().empty() && jwk.alg() != "EdDSA") return std::nullopt;
    if (!jwk.use().empty() && jwk.use() != "sig") return std::nullopt;
    const auto x = Base64UrlDecode(jwk.x());
    if (!x || x->size() != kPublicKeyBytes) return std::nullopt;
    PublicKey key;
    key.kid = jwk.kid();
    std::copy(x->begin(), x->end(), key.bytes.begin());
    return key;
}

// ---- StaticKeyVerifier -------------------------------------------------------------------------

StaticKeyVerifier::StaticKeyVerifier(std::vector<PublicKey> keys, VerifierOptions options)
    : options_(std::move(options)) {
    for (auto& key : keys) {
        std::string kid = key.kid;
        keys_.insert_or_assign(std::move(kid), std::move(key));
    }
}

std::optional<rpc::Claims> StaticKeyVerifier::Verify(std::string_view bearer_token) const {
    return Check(bearer_token).claims;
}

Verification StaticKeyVerifier::Check(std::string_view bearer_token) const {
    return VerifyJwt(
        bearer_token,
        [this](std::string_view kid) -> std::optional<PublicKey> {
            const auto it = keys_.find(kid);
            if (it == keys_.end()) return std::nullopt;
            return it->second;
        },
        options_);
}

// ---- JwksVerifier ------------------------------------------------------------------------------

std::vector<PublicKey> FetchJwks(grpc::Channel& channel, std::chrono::milliseconds timeout) {
    auto stub = auth::v1::AuthService::NewStub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
    grpc::ClientContext context;
    rpc::PrepareClientContext(context, std::chrono::system_clock::now() + timeout);
    // A channel still connecting, or waiting out its reconnect backoff (auth starting at the same
    // time as this service), is waited for up to the timeout instead of failing at once.
    context.set_wait_for_ready(true);
    auth::v1::GetJwksResponse response;
    const grpc::Status status = stub->GetJwks(&context, auth::v1::GetJwksRequest(), &response);
    if (!status.ok()) {
        throw core::Unavailable(
            "token keys unavailable",
            "AuthService.GetJwks failed: " + std::to_string(status.error_code()) + " " + status.error_message());
    }
    std::vector<PublicKey> keys;
    for (const auto& jwk : response.keys()) {
        if (auto key = PublicKeyFromJwk(jwk)) {
            keys.push_back(*std::move(key));
        } else {
            core::log::Warn("jwks: skipping a key that is not an Ed25519 signing key", {{"kid", jwk.kid()}});
        }
    }
    return keys;
}

std::map<std::string, std::int64_t, std::less<>> FetchRevocations(grpc::Channel& channel,
                                                                  std::chrono::milliseconds timeout) {
    auto stub = auth::v1::AuthService::NewStub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
    grpc::ClientContext context;
    rpc::PrepareClientContext(context, std::chrono::system_clock::now() + timeout);
    context.set_wait_for_ready(true);  // as for the keys
    auth::v1::ListSessionRevocationsResponse response;
    const grpc::Status status =
        stub->ListSessionRevocations(&context, auth::v1::ListSessionRevocationsRequest(), &response);
    if (!status.ok()) {
        throw core::Unavailable("session revocations unavailable",
                                "AuthService.ListSessionRevocations failed: " + std::to_string(status.error_code()) +
                                    " " + status.error_message());
    }
    std::map<std::string, std::int64_t, std::less<>> out;
    for (const auto& r : response.revocations()) out[r.user_id()] = r.session_epoch();
    return out;
}

struct JwksVerifier::State {
    mutable std::shared_mutex revoked_mu;
    std::map<std::string, std::int64_t, std::less<>> revoked;  // guarded by revoked_mu

    // The background thread (background_refresh > 0).
    std::mutex wake_mu;
    std::condition_variable wake_cv;
    bool stop = false;                   // guarded by wake_mu
    bool wake = false;                   // guarded by wake_mu: a fetch was asked for
    bool wake_pending = false;           // guarded by wake_mu: ... and has not finished yet
    core::Clock::TimePoint last_wake{};  // guarded by wake_mu
    bool woken_before = false;           // guarded by wake_mu
    std::thread thread;

    mutable std::shared_mutex keys_mu;
    std::map<std::string, PublicKey, std::less<>> keys;  // guarded by keys_mu
    std::atomic<std::uint64_t> generation{0};            // bumped by every successful fetch
    std::atomic<bool> have_keys{false};
    std::atomic<core::Clock::TimePoint::rep> last_success{0};  // time_since_epoch of the last successful fetch

    // Tokens this verifier accepted, by their exact text: a token presented again skips the Ed25519
    // check, but not the checks that can change (expiry, its key still listed, revocations).
    struct Accepted {
        rpc::Claims claims;
        std::string kid;
        core::Clock::TimePoint valid_from;   // iat/nbf minus the leeway
        core::Clock::TimePoint valid_until;  // exp plus the leeway
    };
    std::mutex accepted_mu;
    std::unordered_map<std::string, Accepted> accepted;  // guarded by accepted_mu

    std::mutex fetch_mu;   // one fetch at a time; guards the fields below
    bool limited = false;  // whether last_limited is set
    core::Clock::TimePoint last_limited{};
    std::atomic<std::size_t> fetches{0};
};

JwksVerifier::JwksVerifier(std::shared_ptr<grpc::Channel> auth_channel, JwksVerifierOptions options)
    : JwksVerifier(
          [channel = auth_channel, timeout = options.fetch_timeout] { return FetchJwks(*channel, timeout); }, options,
          [channel = auth_channel, timeout = options.fetch_timeout] { return FetchRevocations(*channel, timeout); }) {}

JwksVerifier::JwksVerifier(Fetcher fetcher, JwksVerifierOptions options, RevocationFetcher revocations)
    : fetcher_(std::move(fetcher)),
      revocations_(std::move(revocations)),
      options_(std::move(options)),
      state_(std::make_unique<State>()) {
    if (!fetcher_) throw std::invalid_argument("JwksVerifier: a fetcher is required");
    if (!options_.fetch_inline && options_.background_refresh <= std::chrono::milliseconds::zero()) {
        throw std::invalid_argument("JwksVerifier: fetch_inline off needs a background_refresh interval");
    }
    if (options_.background_refresh > std::chrono::milliseconds::zero()) {
        state_->thread = std::thread([this] { RunBackground(); });
    }
}

JwksVerifier::~JwksVerifier() {
    if (state_->thread.joinable()) {
        {
            std::lock_guard lock(state_->wake_mu);
            state_->stop = true;
        }
        state_->wake_cv.notify_all();
        state_->thread.join();
    }
}

void JwksVerifier::RunBackground() const {
    std::unique_lock lock(state_->wake_mu);
    bool first = true;
    while (!state_->stop) {
        if (!first) {
            // Until the first keys arrive (auth starting up), try again sooner.
            const auto wait = state_->have_keys ? options_.background_refresh
                                                : std::min<std::chrono::milliseconds>(options_.background_refresh,
                                                                                      std::chrono::milliseconds(500));
            state_->wake_cv.wait_for(lock, wait, [this] { return state_->stop || state_->wake; });
            if (state_->stop) break;
        }
        first = false;
        state_->wake = false;
        lock.unlock();
        {
            std::lock_guard fetch(state_->fetch_mu);
            RefreshLocked(/*force=*/true, state_->generation.load(), /*background=*/true);
        }
        RefreshRevocations();
        lock.lock();
        state_->wake_pending = state_->wake;  // a wake-up that came during this fetch gets its own
    }
}

void JwksVerifier::Wake() const {
    {
        std::lock_guard lock(state_->wake_mu);
        state_->wake = true;
        state_->wake_pending = true;
    }
    state_->wake_cv.notify_all();
}

bool JwksVerifier::RefreshRevocations() const {
    if (!revocations_) return true;
    std::map<std::string, std::int64_t, std::less<>> fresh;
    try {
        fresh = revocations_();
    } catch (const std::exception& e) {
        core::log::Warn("jwks: fetching the session revocations failed", {{"error", e.what()}});
        return false;
    }
    std::unique_lock lock(state_->revoked_mu);
    state_->revoked = std::move(fresh);
    return true;
}

std::int64_t JwksVerifier::MinimumEpoch(std::string_view user_id) const {
    std::shared_lock lock(state_->revoked_mu);
    const auto it = state_->revoked.find(user_id);
    return it == state_->revoked.end() ? 0 : it->second;
}

core::Clock::TimePoint JwksVerifier::Now() const {
    return options_.verify.clock ? options_.verify.clock->Now() : std::chrono::system_clock::now();
}

namespace {
/// How soon a verification that found no keys may fetch again after a failed fetch.
constexpr std::chrono::milliseconds kFirstKeysRetry{200};
}  // namespace

bool JwksVerifier::RefreshLocked(bool force, std::uint64_t seen_generation, bool background) const {
    // Caller holds fetch_mu. Another thread may have fetched while this one waited for the lock.
    if (!force && state_->generation.load() != seen_generation) return true;
    const auto now = Now();
    // The budget: a refetch because of an unknown kid or old keys, or any failed fetch, starts the
    // interval. The first successful load (or a forced one) does not, so a key rotated right after
    // start-up is still picked up at once.
    const bool limited = state_->have_keys.load();
    // Until the first keys arrive (auth starting up, or not reachable yet), a caller may try again
    // after a short pause rather than the whole interval: without keys every call is refused.
    const auto interval = limited ? options_.min_refresh_interval
                                  : std::min<std::chrono::milliseconds>(options_.min_refresh_interval, kFirstKeysRetry);
    if (!force && state_->limited && now - state_->last_limited < interval) return false;
    ++state_->fetches;
    std::vector<PublicKey> fetched;
    try {
        fetched = fetcher_();
    } catch (const std::exception& e) {
        // The background thread's failures do not spend the callers' budget: a fetch that failed
        // before auth was up must not keep the first caller from loading the keys.
        if (!background) {
            state_->limited = true;
            state_->last_limited = now;
        }
        core::log::Warn("jwks: fetching the token keys failed", {{"error", e.what()}});
        return false;
    }
    if (limited && !force) {
        state_->limited = true;
        state_->last_limited = now;
    }
    std::map<std::string, PublicKey, std::less<>> keys;
    for (auto& key : fetched) {
        std::string kid = key.kid;
        keys.insert_or_assign(std::move(kid), std::move(key));
    }
    {
        std::unique_lock lock(state_->keys_mu);
        state_->keys = std::move(keys);
    }
    state_->last_success = now.time_since_epoch().count();
    state_->have_keys = true;
    ++state_->generation;
    return true;
}

bool JwksVerifier::Refresh() const {
    std::lock_guard lock(state_->fetch_mu);
    return RefreshLocked(/*force=*/true, state_->generation.load());
}

std::size_t JwksVerifier::fetch_count() const { return state_->fetches.load(); }

std::vector<std::string> JwksVerifier::cached_kids() const {
    std::shared_lock lock(state_->keys_mu);
    std::vector<std::string> kids;
    for (const auto& [kid, key] : state_->keys) kids.push_back(kid);
    return kids;
}

std::optional<rpc::Claims> JwksVerifier::Verify(std::string_view bearer_token) const {
    return Check(bearer_token).claims;
}

Verification JwksVerifier::VerifyRemembered(std::string_view bearer_token, const KeyLookup& lookup) const {
    const auto now = Now();
    {
        std::lock_guard lock(state_->accepted_mu);
        const auto it = state_->accepted.find(std::string(bearer_token));
        if (it != state_->accepted.end()) {
            const auto& a = it->second;
            if (now >= a.valid_from && now < a.valid_until) {
                std::shared_lock keys_lock(state_->keys_mu);
                if (state_->keys.count(a.kid) > 0) {
                    Verification v;
                    v.claims = a.claims;
                    v.kid = a.kid;
                    return v;
                }
            }
            state_->accepted.erase(it);  // expired, or its key is gone: verify in full (and refuse)
        }
    }
    Verification v = VerifyJwt(bearer_token, lookup, options_.verify);
    if (v.ok() && bearer_token.size() <= kMaxRememberedTokenBytes) {
        // Valid from now (VerifyJwt just accepted it) until exp plus the leeway.
        const auto until = std::chrono::time_point_cast<core::Clock::TimePoint::duration>(v.claims->expires_at) +
                           options_.verify.leeway;
        std::lock_guard lock(state_->accepted_mu);
        if (state_->accepted.size() >= kMaxRememberedTokens) state_->accepted.clear();  // bounded; refilled by use
        state_->accepted[std::string(bearer_token)] = State::Accepted{*v.claims, v.kid, now, until};
    }
    return v;
}

std::size_t JwksVerifier::remembered_tokens() const {
    std::lock_guard lock(state_->accepted_mu);
    return state_->accepted.size();
}

Verification JwksVerifier::Check(std::string_view bearer_token) const {
    const KeyLookup lookup = [this](std::string_view kid) -> std::optional<PublicKey> {
        std::shared_lock lock(state_->keys_mu);
        const auto it = state_->keys.find(kid);
        if (it == state_->keys.end()) return std::nullopt;
        return it->second;
    };

    // A valid token whose session epoch is below its subject's listed one was revoked.
    const auto judged = [this](Verification v) {
        if (v.ok() && v.claims->session_epoch < MinimumEpoch(v.claims->subject)) {
            v.claims.reset();
            v.rejection = Rejection::kRevoked;
        }
        return v;
    };

    if (!options_.fetch_inline) {
        // Never fetch here: the thread does. An unknown kid (or no keys yet) wakes it, at most once
        // per min_refresh_interval, and is "try again" until that fetch has finished.
        if (state_->have_keys) {
            Verification v = VerifyRemembered(bearer_token, lookup);
            if (v.rejection != Rejection::kUnknownKey) return judged(std::move(v));
        }
        bool wait = false;
        {
            std::lock_guard lock(state_->wake_mu);
            const auto now = Now();
            if (state_->wake_pending) {
                wait = true;
            } else if (!state_->woken_before || now - state_->last_wake >= options_.min_refresh_interval ||
                       !state_->have_keys) {
                state_->woken_before = true;
                state_->last_wake = now;
                state_->wake = true;
                state_->wake_pending = true;
                wait = true;
            }
        }
        if (wait) {
            state_->wake_cv.notify_all();
            throw core::Unavailable("token keys are being refreshed; try again",
                                    "unknown kid or no keys yet: a background fetch is under way");
        }
        return VerifyRemembered(bearer_token, lookup);
    }

    const std::uint64_t generation = state_->generation.load();
    if (state_->have_keys) {
        Verification v = VerifyRemembered(bearer_token, lookup);
        if (v.rejection != Rejection::kUnknownKey) {
            const auto age =
                Now() - core::Clock::TimePoint(core::Clock::TimePoint::duration(state_->last_success.load()));
            if (age >= options_.max_key_age) {
                // Old keys: refresh in passing, without making other calls wait for the fetch.
                std::unique_lock lock(state_->fetch_mu, std::try_to_lock);
                if (lock.owns_lock()) RefreshLocked(/*force=*/false, generation);
            }
            return judged(std::move(v));
        }
    }

    // No keys yet or an unknown kid: refetch (rate-limited), then verify with what we have.
    {
        std::lock_guard lock(state_->fetch_mu);
        RefreshLocked(/*force=*/false, generation);
    }
    if (!state_->have_keys) {
        throw core::Unavailable("token keys unavailable; try again", "no token keys fetched from the auth service yet");
    }
    return judged(VerifyRemembered(bearer_token, lookup));
}

std::shared_ptr<const rpc::TokenVerifier> ServiceTokenVerifier(const rpc::ChannelOptions& auth,
                                                               std::shared_ptr<const core::Clock> clock,
                                                               std::chrono::milliseconds refresh) {
    JwksVerifierOptions options;
    options.verify.clock = std::move(clock);
    options.background_refresh = refresh;
    return std::make_shared<JwksVerifier>(rpc::CreateChannel(auth), options);
}

}  // namespace marketplace::tokens
