#include "marketplace/service/after_commit.hpp"

#include <string>
#include <vector>

#include "marketplace/core/log.hpp"

namespace marketplace::service {
namespace {

struct Pending {
    std::string txid;  // the transaction the effects belong to
    std::vector<std::function<void()>> effects;
};

thread_local Pending pending;

std::string TransactionId(pqxx::work& tx) { return tx.exec1("SELECT pg_current_xact_id()::text")[0].c_str(); }

}  // namespace

void AfterCommit(pqxx::work& tx, std::function<void()> effect) { AfterCommit(TransactionId(tx), std::move(effect)); }

void AfterCommit(const std::string& txid, std::function<void()> effect) {
    if (txid != pending.txid) {
        pending.effects.clear();  // noted in a transaction that did not commit
        pending.txid = txid;
    }
    pending.effects.push_back(std::move(effect));
}

void RunCommitted() {
    auto effects = std::move(pending.effects);
    pending.effects.clear();
    pending.txid.clear();
    for (auto& effect : effects) {
        try {
            effect();
        } catch (const std::exception& e) {
            core::log::Error("an after-commit effect failed", {{"error", e.what()}});
        }
    }
}

void DiscardUncommitted() {
    pending.effects.clear();
    pending.txid.clear();
}

void DiscardUnlessIn(pqxx::work& tx) {
    if (pending.effects.empty()) return;
    if (TransactionId(tx) != pending.txid) DiscardUncommitted();
}

}  // namespace marketplace::service
