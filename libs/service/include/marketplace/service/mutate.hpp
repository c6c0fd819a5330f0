#pragma once
// A service's writes, in one shape (docs/ARCHITECTURE.md, "Services"): one transaction, the
// effects noted with AfterCommit run once it committed, then, when the write appended events, the
// outbox relay woken so that they are published now rather than at the relay's next poll. Handlers call
// Mutate instead of opening a transaction and remembering to wake the relay.
//
//   *response = service::Mutate<v1::CreateClanResponse>(runtime_, idem, *request, [&](pqxx::work& tx) {
//       ...effect...;
//       return r;
//   });
#include <type_traits>
#include <utility>

#include <pqxx/transaction>

#include "marketplace/rpc/call_scope.hpp"
#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/after_commit.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::service {

/// Runs `work(tx)` in one transaction, then its after-commit effects, then, when it appended events
/// (Runtime::Publish), wakes the relay. A write that published nothing (a replayed command, a
/// change that changed nothing) costs the relay no extra outbox read.
template <typename Work>
auto Mutate(Runtime& runtime, Work&& work) -> std::invoke_result_t<Work&, pqxx::work&> {
    const auto published_before = Runtime::PublishedOnThisThread();
    const auto wake = [&] {
        if (Runtime::PublishedOnThisThread() != published_before) runtime.Published();
    };
    if constexpr (std::is_void_v<std::invoke_result_t<Work&, pqxx::work&>>) {
        InTransactionThen(runtime.pool(), std::forward<Work>(work));
        wake();
    } else {
        auto result = InTransactionThen(runtime.pool(), std::forward<Work>(work));
        wake();
        return result;
    }
}

/// An idempotent command: `idempotent`'s key is claimed in the same transaction and `effect`'s
/// response stored with it (IdempotencyStore::Run); a replay answers from that record without
/// running `effect` again. `effect` is called as effect(tx) or effect().
template <typename Response, typename Request, typename Effect>
Response Mutate(Runtime& runtime, const rpc::IdempotentCall& idempotent, const Request& request, Effect&& effect) {
    return Mutate(runtime, [&](pqxx::work& tx) {
        return runtime.idempotency().template Run<Response>(tx, idempotent, request, std::forward<Effect>(effect));
    });
}

/// For a method declared (marketplace.common.v1.accepts_idempotency_key): with a key the command
/// runs once per key as above (a retry answers from the record; another request under the key is
/// ALREADY_EXISTS); without one it simply runs, as a method idempotent by itself or a client that
/// does not retry may.
template <typename Response, typename Request, typename Effect>
Response MutateWithOptionalKey(Runtime& runtime, const rpc::CallScope& call, const Request& request, Effect&& effect) {
    if (!rpc::IdempotencyKeyFrom(call.context())) {
        return Mutate(runtime, [&](pqxx::work& tx) -> Response { return effect(tx); });
    }
    return Mutate<Response>(runtime, rpc::IdempotentCall::From(call), request, std::forward<Effect>(effect));
}

}  // namespace marketplace::service
