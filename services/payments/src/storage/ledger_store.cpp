#include "storage/ledger_store.hpp"

#include <algorithm>
#include <set>

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
    ValidateLegs(legs, field);
    std::vector<std::int64_t> ids;
    ids.reserve(legs.size() * 2);
    for (const auto& leg : legs) {
        ids.push_back(leg.debit_account);
        ids.push_back(leg.credit_account);
    }
    const auto accounts = Lock(tx, ids);
    const auto deltas = PlanPosting(legs, accounts, field);  // throws before anything is written

    const std::string at = Timestamp(now);
    db::Exec(tx, "INSERT INTO operations (id, kind, reference, created_at) VALUES ($1, $2, $3, $4::timestamptz)",
             operation.id, std::string(OperationKindName(operation.kind)), operation.reference, at);

    std::vector<std::int64_t> leg_numbers, debits, credits, amounts;
    std::vector<std::string> currencies;
    leg_numbers.reserve(legs.size());
    debits.reserve(legs.size());
    credits.reserve(legs.size());
    amounts.reserve(legs.size());
    currencies.reserve(legs.size());
    for (std::size_t i = 0; i < legs.size(); ++i) {
        leg_numbers.push_back(static_cast<std::int64_t>(i));
        debits.push_back(legs[i].debit_account);
        credits.push_back(legs[i].credit_account);
        amounts.push_back(legs[i].amount);
        currencies.push_back(legs[i].currency);
    }
    db::Exec(
        tx,
        "INSERT INTO transfers (operation_id, leg, debit_account_id, credit_account_id, amount, currency, created_at) "
        "SELECT $1, t.leg, t.debit, t.credit, t.amount, t.currency, $7::timestamptz "
        "FROM unnest($2::int[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[]) "
        "AS t(leg, debit, credit, amount, currency)",
        operation.id, IntArray(leg_numbers), IntArray(debits), IntArray(credits), IntArray(amounts),
        TextArray(currencies), at);
    CountTransfers(tx, legs.size());

    std::vector<std::int64_t> changed, changes;
    for (const auto& [id, delta] : deltas) {
        if (delta == 0) continue;
        changed.push_back(id);
        changes.push_back(delta);
    }
    if (changed.empty()) return;
    const auto updated = db::Exec(tx,
                                  "UPDATE accounts AS a SET balance = a.balance + d.delta "
                                  "FROM unnest($1::bigint[], $2::bigint[]) AS d(id, delta) WHERE a.id = d.id",
                                  IntArray(changed), IntArray(changes));
    if (updated.affected_rows() != changed.size()) {
        throw std::logic_error("ledger: updated " + std::to_string(updated.affected_rows()) + " accounts of " +
                               std::to_string(changed.size()));
    }
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
