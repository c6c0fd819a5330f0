#pragma once
// A service's writes, in one shape (docs/ARCHITECTURE.md, "Services"): one transaction, the
// effects noted with AfterCommit run once it committed, then the outbox relay woken so that the
// events the write appended are published now rather than at the relay's next poll. Handlers call
// Mutate instead of opening a transaction and remembering to wake the relay.
//
//   *response = service::Mutate<v1::CreateClanResponse>(runtime_, idem, *request, [&](pqxx::work& tx) {
//       ...effect...;
//       return r;
//   });
#include <type_traits>
#include <utility>

#include <pqxx/transaction>

#include "marketplace/rpc/idempotency.hpp"
#include "marketplace/service/after_commit.hpp"
#include "marketplace/service/runtime.hpp"

namespace marketplace::service {

/// Runs `work(tx)` in one transaction, then its after-commit effects, then wakes the relay.
template <typename Work>
auto Mutate(Runtime& runtime, Work&& work) -> std::invoke_result_t<Work&, pqxx::work&> {
    if constexpr (std::is_void_v<std::invoke_result_t<Work&, pqxx::work&>>) {
        InTransactionThen(runtime.pool(), std::forward<Work>(work));
        runtime.Published();
    } else {
        auto result = InTransactionThen(runtime.pool(), std::forward<Work>(work));
        runtime.Published();
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

}  // namespace marketplace::service
