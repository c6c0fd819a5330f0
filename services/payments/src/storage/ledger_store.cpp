#include "storage/ledger_store.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <tuple>

#include <pqxx/pqxx>

#include "app/ledger_metrics.hpp"
#include "marketplace/db/arrays.hpp"
#include "marketplace/db/statements.hpp"

namespace marketplace::payments::storage {

using db::IntArray;
using db::TextArray;
namespace {

AccountState ReadState(const pqxx::row& row) {
    AccountState s;
    s.id = row["id"].as<std::int64_t>();
    s.kind = ParseAccountKind(row["kind"].c_str());
    s.owner = row["owner"].c_str();
    s.currency = row["currency"].c_str();
    s.balance = row["balance"].as<std::int64_t>();
    s.guarded = row["guarded"].as<bool>();
    return s;
}

constexpr const char* kStateColumns = "id, kind, owner, currency, balance, guarded";

}  // namespace

std::string_view OperationKindName(OperationKind kind) {
    switch (kind) {
        case OperationKind::kDeposit:
            return "deposit";
        case OperationKind::kPayoutHold:
            return "payout_hold";
        case OperationKind::kPayoutPost:
            return "payout_post";
        case OperationKind::kPayoutVoid:
            return "payout_void";
        case OperationKind::kEscrowFund:
            return "escrow_fund";
        case OperationKind::kEscrowRelease:
            return "escrow_release";
        case OperationKind::kEscrowRefund:
            return "escrow_refund";
        case OperationKind::kTransferBatch:
            return "transfer_batch";
        case OperationKind::kDisputeSettlement:
            return "dispute_settlement";
    }
    return "unknown";
}

std::string OperationId(OperationKind kind, std::string_view reference) {
    std::string id(OperationKindName(kind));
    id += ':';
    id.append(reference);
    return id;
}

std::string Timestamp(core::Clock::TimePoint t) { return core::FormatRfc3339(t); }

std::string Rfc3339Sql(const std::string& column) {
    return "COALESCE(to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '')";
}

std::int64_t LedgerStore::EnsureAccount(pqxx::work& tx, const AccountKey& key) const {
    const std::string kind(AccountKindName(key.kind));
    const char* select = "SELECT id FROM accounts WHERE kind = $1 AND owner = $2 AND currency = $3";
    auto found = db::Exec(tx, select, kind, key.owner, key.currency);
    if (!found.empty()) return found[0][0].as<std::int64_t>();
    // Under READ COMMITTED a concurrent creator makes ON CONFLICT wait for it and return nothing;
    // the next statement's snapshot then sees its committed row.
    auto inserted = db::Exec(tx,
                             "INSERT INTO accounts (kind, owner, currency, guarded) VALUES ($1, $2, $3, $4) "
                             "ON CONFLICT (kind, owner, currency) DO NOTHING RETURNING id",
                             kind, key.owner, key.currency, IsGuarded(key.kind));
    if (!inserted.empty()) return inserted[0][0].as<std::int64_t>();
    return db::Exec1(tx, select, kind, key.owner, key.currency)[0].as<std::int64_t>();
}

std::map<std::string, std::int64_t> LedgerStore::EnsureAccounts(pqxx::work& tx, AccountKind kind,
                                                                const std::string& currency,
                                                                const std::vector<std::string>& owners) const {
    const std::string kind_name(AccountKindName(kind));
    std::map<std::string, std::int64_t> ids;
    const char* select = "SELECT owner, id FROM accounts WHERE kind = $1 AND currency = $2 AND owner = ANY($3::text[])";
    auto read = [&](const std::vector<std::string>& wanted) {
        for (const auto& row : db::Exec(tx, select, kind_name, currency, TextArray(wanted))) {
            ids[row[0].c_str()] = row[1].as<std::int64_t>();
        }
    };
    std::vector<std::string> wanted = owners;
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    read(wanted);
    std::vector<std::string> missing;
    for (const auto& owner : wanted) {
        if (ids.find(owner) == ids.end()) missing.push_back(owner);
    }
    if (missing.empty()) return ids;
    // Sorted, so concurrent creators insert in the same order and cannot deadlock each other.
    db::Exec(tx,
             "INSERT INTO accounts (kind, owner, currency, guarded) "
             "SELECT $1, o, $2, $3 FROM unnest($4::text[]) AS o ORDER BY o "
             "ON CONFLICT (kind, owner, currency) DO NOTHING",
             kind_name, currency, IsGuarded(kind), TextArray(missing));
    read(missing);
    return ids;
}

std::vector<std::int64_t> LedgerStore::EnsureAccounts(pqxx::work& tx, const std::vector<AccountKey>& keys) const {
    using Key = std::tuple<std::string, std::string, std::string>;  // kind, owner, currency
    std::map<Key, std::int64_t> ids;
    const auto read = [&](const std::vector<Key>& wanted) {
        std::vector<std::string> kinds, owners, currencies;
        for (const auto& [kind, owner, currency] : wanted) {
            kinds.push_back(kind);
            owners.push_back(owner);
            currencies.push_back(currency);
        }
        for (const auto& row : db::Exec(tx,
                                        "SELECT a.kind, a.owner, a.currency, a.id FROM accounts a "
                                        "JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(kind, owner, currency) "
                                        "ON a.kind = k.kind AND a.owner = k.owner AND a.currency = k.currency",
                                        TextArray(kinds), TextArray(owners), TextArray(currencies))) {
            ids[{row[0].c_str(), row[1].c_str(), row[2].c_str()}] = row[3].as<std::int64_t>();
        }
    };
    std::vector<Key> wanted;
    for (const auto& key : keys) wanted.emplace_back(std::string(AccountKindName(key.kind)), key.owner, key.currency);
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    read(wanted);
    std::vector<Key> missing;
    for (const auto& key : keys) {
        Key k{std::string(AccountKindName(key.kind)), key.owner, key.currency};
        if (ids.count(k) > 0 || std::find(missing.begin(), missing.end(), k) != missing.end()) continue;
        missing.push_back(k);
    }
    if (!missing.empty()) {
        // Sorted, so concurrent creators insert in the same order and cannot deadlock each other.
        std::vector<std::string> kinds, owners, currencies, guarded;
        for (const auto& [kind, owner, currency] : missing) {
            kinds.push_back(kind);
            owners.push_back(owner);
            currencies.push_back(currency);
            guarded.emplace_back(IsGuarded(ParseAccountKind(kind)) ? "t" : "f");
        }
        for (const auto& row : db::Exec(
                 tx,
                 "INSERT INTO accounts (kind, owner, currency, guarded) "
                 "SELECT k.kind, k.owner, k.currency, k.guarded "
                 "FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS k(kind, owner, currency, guarded) "
                 "ORDER BY k.kind, k.owner, k.currency "
                 "ON CONFLICT (kind, owner, currency) DO NOTHING RETURNING kind, owner, currency, id",
                 TextArray(kinds), TextArray(owners), TextArray(currencies), TextArray(guarded))) {
            ids[{row[0].c_str(), row[1].c_str(), row[2].c_str()}] = row[3].as<std::int64_t>();
        }
        // Under READ COMMITTED a concurrent creator makes ON CONFLICT wait for it and return nothing;
        // the next statement's snapshot then sees its committed row.
        std::vector<Key> raced;
        for (const auto& k : missing) {
            if (ids.count(k) == 0) raced.push_back(k);
        }
        if (!raced.empty()) read(raced);
    }
    std::vector<std::int64_t> out;
    out.reserve(keys.size());
    for (const auto& key : keys) {
        const auto it = ids.find({std::string(AccountKindName(key.kind)), key.owner, key.currency});
        if (it == ids.end()) throw std::logic_error("ledger: account " + key.owner + " was not created");
        out.push_back(it->second);
    }
    return out;
}

std::optional<AccountState> LedgerStore::Find(pqxx::work& tx, const AccountKey& key) const {
    auto rows = db::Exec(
        tx, std::string("SELECT ") + kStateColumns + " FROM accounts WHERE kind = $1 AND owner = $2 AND currency = $3",
        std::string(AccountKindName(key.kind)), key.owner, key.currency);
    if (rows.empty()) return std::nullopt;
    return ReadState(rows[0]);
}

std::map<std::int64_t, AccountState> LedgerStore::Lock(pqxx::work& tx, std::vector<std::int64_t> ids) const {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    // ORDER BY under FOR UPDATE locks the rows in id order: every operation takes its locks in the
    // same global order, so two operations never wait on each other in a cycle.
    auto rows = db::Exec(
        tx,
        std::string("SELECT ") + kStateColumns + " FROM accounts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
        IntArray(ids));
    std::map<std::int64_t, AccountState> out;
    for (const auto& row : rows) {
        auto s = ReadState(row);
        out.emplace(s.id, std::move(s));
    }
    return out;
}

void LedgerStore::Post(pqxx::work& tx, const Operation& operation, const std::vector<Leg>& legs,
                       core::Clock::TimePoint now, const std::string& field) const {
    Post(tx, {Posting{operation, legs}}, now, field);
}

void LedgerStore::Post(pqxx::work& tx, const std::vector<Posting>& postings, core::Clock::TimePoint now,
                       const std::string& field) const {
    std::vector<std::int64_t> ids;
    for (const auto& posting : postings) {
        ValidateLegs(posting.legs, field);
        for (const auto& leg : posting.legs) {
            ids.push_back(leg.debit_account);
            ids.push_back(leg.credit_account);
        }
    }
    auto accounts = Lock(tx, ids);
    // Each operation is planned on the balances the ones before it leave (throws before anything is
    // written); the balances change once, by the sum of the operations' changes.
    std::map<std::int64_t, std::int64_t> deltas;
    for (const auto& posting : postings) {
        for (const auto& [id, delta] : PlanPosting(posting.legs, accounts, field)) {
            accounts.at(id).balance += delta;
            deltas[id] += delta;
        }
    }

    std::vector<std::string> operation_ids, kinds, references, leg_operations, currencies;
    std::vector<std::int64_t> leg_numbers, debits, credits, amounts;
    std::size_t leg_count = 0;
    for (const auto& posting : postings) {
        operation_ids.push_back(posting.operation.id);
        kinds.emplace_back(OperationKindName(posting.operation.kind));
        references.push_back(posting.operation.reference);
        for (std::size_t i = 0; i < posting.legs.size(); ++i) {
            const auto& leg = posting.legs[i];
            leg_operations.push_back(posting.operation.id);
            leg_numbers.push_back(static_cast<std::int64_t>(i));
            debits.push_back(leg.debit_account);
            credits.push_back(leg.credit_account);
            amounts.push_back(leg.amount);
            currencies.push_back(leg.currency);
        }
        leg_count += posting.legs.size();
    }
    std::vector<std::int64_t> changed, changes;
    for (const auto& [id, delta] : deltas) {
        if (delta == 0) continue;
        changed.push_back(id);
        changes.push_back(delta);
    }
    // One statement writes the operations, their transfers and the balances. The transfers'
    // reference check (a statement trigger) runs once the whole statement is done, so it sees the
    // operations; an operation already posted is a unique violation and nothing is written.
    const auto row = db::Exec1(
        tx,
        "WITH ops AS (INSERT INTO operations (id, kind, reference, created_at) "
        "SELECT o.id, o.kind, o.reference, $4::timestamptz FROM unnest($1::text[], $2::text[], $3::text[]) "
        "AS o(id, kind, reference) RETURNING id), "
        "legs AS (INSERT INTO transfers (operation_id, leg, debit_account_id, credit_account_id, amount, currency, "
        "created_at) SELECT t.operation_id, t.leg, t.debit, t.credit, t.amount, t.currency, $4::timestamptz "
        "FROM unnest($5::text[], $6::int[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[]) "
        "AS t(operation_id, leg, debit, credit, amount, currency) "
        "WHERE t.operation_id IN (SELECT id FROM ops) RETURNING 1), "
        "balances AS (UPDATE accounts AS a SET balance = a.balance + d.delta "
        "FROM unnest($11::bigint[], $12::bigint[]) AS d(id, delta) WHERE a.id = d.id RETURNING 1) "
        "SELECT (SELECT count(*) FROM legs), (SELECT count(*) FROM balances), pg_current_xact_id()::text",
        TextArray(operation_ids), TextArray(kinds), TextArray(references), Timestamp(now), TextArray(leg_operations),
        IntArray(leg_numbers), IntArray(debits), IntArray(credits), IntArray(amounts), TextArray(currencies),
        IntArray(changed), IntArray(changes));
    if (row[0].as<std::size_t>() != leg_count || row[1].as<std::size_t>() != changed.size()) {
        throw std::logic_error("ledger: wrote " + std::string(row[0].c_str()) + " transfers of " +
                               std::to_string(leg_count) + " and updated " + row[1].c_str() + " accounts of " +
                               std::to_string(changed.size()));
    }
    CountTransfers(row[2].c_str(), leg_count);
}

std::vector<AccountState> LedgerStore::AccountsOf(pqxx::work& tx, const std::string& owner,
                                                  const std::vector<AccountKind>& kinds) const {
    std::vector<std::string> names;
    for (auto k : kinds) names.emplace_back(AccountKindName(k));
    std::vector<AccountState> out;
    for (const auto& row : db::Exec(tx,
                                    std::string("SELECT ") + kStateColumns +
                                        " FROM accounts WHERE owner = $1 AND kind = ANY($2::text[]) "
                                        "ORDER BY currency, kind",
                                    owner, TextArray(names))) {
        out.push_back(ReadState(row));
    }
    return out;
}

std::vector<StoredTransfer> LedgerStore::TransfersOf(pqxx::work& tx, const std::string& operation_id) const {
    std::vector<StoredTransfer> out;
    for (const auto& row :
         db::Exec(tx,
                  "SELECT t.leg, t.debit_account_id, t.credit_account_id, t.amount, t.currency, c.kind, c.owner "
                  "FROM transfers t JOIN accounts c ON c.id = t.credit_account_id "
                  "WHERE t.operation_id = $1 ORDER BY t.leg",
                  operation_id)) {
        StoredTransfer t;
        t.leg = row[0].as<int>();
        t.debit_account = row[1].as<std::int64_t>();
        t.credit_account = row[2].as<std::int64_t>();
        t.amount = row[3].as<std::int64_t>();
        t.currency = row[4].c_str();
        t.credit_kind = ParseAccountKind(row[5].c_str());
        t.credit_owner = row[6].c_str();
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace marketplace::payments::storage
