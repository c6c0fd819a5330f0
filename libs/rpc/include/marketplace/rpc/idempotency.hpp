#pragma once
// Idempotent commands (docs/ARCHITECTURE.md, "Services" (idempotency keys)). A mutating RPC carries `idempotency-key`
// metadata; its handler runs the effect through IdempotencyStore::Run in the SAME transaction that writes the effect,
// so the key, the request's hash and the response commit or roll back with it:
//
//   return rpc::Handle(ctx, [&](rpc::CallScope& call) {
//       const auto idem = rpc::IdempotentCall::From(call);  // INVALID_ARGUMENT when the key is missing
//       *response = db::InTransaction(pool, [&](pqxx::work& tx) {
//           return store.Run<AddResponse>(tx, idem, *request, [&](pqxx::work& tx) { ...effect...; return r; });
//       });
//   });
//
// The first call claims (caller, key) with INSERT ... ON CONFLICT DO NOTHING: a concurrent
// duplicate blocks on that row until the first transaction ends, then reads its stored response
// (or, when the first rolled back, claims the key itself). A replay with the same request returns
// the stored response without running the effect; the same key with another request or method
// is core::Conflict (ALREADY_EXISTS) naming idempotency-key. An effect that throws (a domain
// error included) rolls the claim back with everything else: nothing is stored, and a retry with
// the key runs afresh. The table comes from the
// "idempotency" migrations (marketplace::migrations::idempotency() in "idempotency_migrations.hpp").
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "marketplace/core/clock.hpp"

namespace google::protobuf {
class MessageLite;
}  // namespace google::protobuf

namespace grpc {
class ServerContextBase;
}  // namespace grpc

namespace marketplace::rpc {

class CallScope;

inline constexpr char kIdempotencyKeyMetadata[] = "idempotency-key";
inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;
inline constexpr std::chrono::hours kMinIdempotencyRetention{24};

/// Throws core::InvalidArgument("idempotency-key", rule) unless the key is 1..255 characters of
/// printable ASCII (0x20..0x7E) that neither starts nor ends with a space (proxies trim those).
void ValidateIdempotencyKey(std::string_view key);

/// The call's validated key, or nullopt when it has none. Throws InvalidArgument when it is
/// malformed or given more than once.
std::optional<std::string> IdempotencyKeyFrom(const grpc::ServerContextBase& context);
/// The call's validated key; throws InvalidArgument("idempotency-key", "is required") without one.
std::string RequireIdempotencyKey(const grpc::ServerContextBase& context);

/// One idempotent command: keys are scoped by caller, and bound to one method and one request.
///
/// A signed-in caller's keys are scoped by the token's subject. An anonymous caller (Register,
/// Refresh, Logout: no token) has no identity a key could belong to, so its key is scoped by what
/// it asks: the scope is "anonymous:" + SHA-256 of the method and of the request's bytes (as given
/// to the store). Two anonymous callers therefore share a stored response only when they send the
/// same key with byte-identical requests to the same method; a key one of them used never blocks,
/// answers or reveals anything to another who sends something else with it. The price: for an
/// anonymous caller, the same key with another request is a new command, not ALREADY_EXISTS. (The
/// caller's forwarded address was not chosen: callers behind one NAT share it, and one client's
/// retries may come from another address.)
struct IdempotentCall {
    std::string caller;  // the token's subject; empty for anonymous callers (scoped by their request)
    std::string key;
    std::string method;  // "/package.Service/Method"

    /// From a handler's scope: caller = OptionalClaims()'s subject (or empty), key =
    /// RequireIdempotencyKey, method = call.method().
    static IdempotentCall From(const CallScope& call);
};

/// Where `call`'s key is stored: its caller, or for an anonymous caller "anonymous:<hex SHA-256 of
/// method, NUL, request bytes>".
std::string IdempotencyScope(const IdempotentCall& call, std::string_view request_bytes);

/// Deterministic protobuf serialization (map entries in key order), the input of the request hash.
std::string DeterministicBytes(const google::protobuf::MessageLite& message);

struct IdempotencyOptions {
    /// How long keys are kept; at least kMinIdempotencyRetention.
    std::chrono::hours retention = kMinIdempotencyRetention;
    /// Stamps created_at and decides what Purge removes; null: the system clock.
    std::shared_ptr<const core::Clock> clock;
};

class IdempotencyStore final {
public:
    /// Throws std::invalid_argument when the retention is shorter than 24 hours.
    explicit IdempotencyStore(IdempotencyOptions options = {});

    /// Claims call's key in `tx`. Returns nullopt when this transaction now owns the key (perform
    /// the effect, then Complete) or the response stored by an earlier committed call with the
    /// same method and request. Waits while another transaction holds the key uncommitted.
    /// Throws core::Conflict when the key was used for another method or request.
    std::optional<std::string> Claim(pqxx::work& tx, const IdempotentCall& call, std::string_view request_bytes) const;

    /// Stores the response of a claimed key (in the claiming transaction; one claim per key and
    /// method in a transaction).
    void Complete(pqxx::work& tx, const IdempotentCall& call, std::string_view response_bytes) const;

    /// Claim, then either parse the stored Response or run `effect(tx)` (or `effect()`) and store
    /// what it returns. `replayed`, when given, says which happened.
    template <typename Response, typename Request, typename Effect>
    Response Run(pqxx::work& tx, const IdempotentCall& call, const Request& request, Effect&& effect,
                 bool* replayed = nullptr) const {
        if (auto stored = Claim(tx, call, DeterministicBytes(request))) {
            Response response;
            if (!response.ParseFromString(*stored)) {
                throw std::runtime_error("stored response of idempotency key does not parse for " + call.method);
            }
            if (replayed != nullptr) *replayed = true;
            return response;
        }
        Response response = [&] {
            if constexpr (std::is_invocable_v<Effect&, pqxx::work&>) {
                return effect(tx);
            } else {
                return effect();
            }
        }();
        Complete(tx, call, DeterministicBytes(response));
        if (replayed != nullptr) *replayed = false;
        return response;
    }

    /// Deletes keys older than the retention, `batch_size` rows per transaction on `conn`; returns
    /// how many it deleted.
    std::size_t Purge(pqxx::connection& conn, std::size_t batch_size = 1000) const;

    const IdempotencyOptions& options() const noexcept { return options_; }

private:
    core::Clock::TimePoint Now() const;

    IdempotencyOptions options_;
};

}  // namespace marketplace::rpc
