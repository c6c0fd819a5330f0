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
// A service's handlers do this through service::Mutate (marketplace/service/mutate.hpp), which also
// wakes the outbox relay after the commit.
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
#include "marketplace/rpc/idempotency.hpp"

namespace marketplace::service {

using rpc::DeterministicBytes;
using rpc::IdempotentCall;

inline constexpr std::chrono::hours kMinIdempotencyRetention{24};

/// Where `call`'s key is stored: its caller, or for an anonymous caller "anonymous:<hex SHA-256 of
/// method, NUL, request bytes>".
std::string IdempotencyScope(const IdempotentCall& call, std::string_view request_bytes);

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

}  // namespace marketplace::service
