#include "storage/audit_store.hpp"

#include <pqxx/pqxx>

namespace marketplace::payments::storage {

AuditSnapshot ReadAuditSnapshot(pqxx::work& tx) {
    AuditSnapshot snapshot;
    for (const auto& r :
         tx.exec("WITH credits AS (SELECT credit_account_id AS id, sum(amount) AS total FROM transfers GROUP BY 1), "
                 "     debits  AS (SELECT debit_account_id  AS id, sum(amount) AS total FROM transfers GROUP BY 1) "
                 "SELECT a.id, a.kind, a.owner, a.currency, a.guarded, a.balance, "
                 "       (COALESCE(c.total, 0) - COALESCE(d.total, 0))::text "
                 "FROM accounts a LEFT JOIN credits c ON c.id = a.id LEFT JOIN debits d ON d.id = a.id "
                 "ORDER BY a.id")) {
        AuditedAccount a;
        a.id = r[0].as<std::int64_t>();
        a.kind = r[1].c_str();
        a.owner = r[2].c_str();
        a.currency = r[3].c_str();
        a.guarded = r[4].as<bool>();
        a.stored = r[5].as<std::int64_t>();
        a.recomputed = ParseInt128(r[6].c_str());
        snapshot.accounts.push_back(std::move(a));
    }
    for (const auto& r :
         tx.exec("SELECT a.id, a.owner, a.currency, a.balance, e.milestone_id IS NOT NULL, COALESCE(e.state, ''), "
                 "       COALESCE(e.amount, 0), "
                 "       (SELECT count(DISTINCT t.operation_id) FROM transfers t WHERE t.credit_account_id = a.id), "
                 "       (SELECT count(DISTINCT t.operation_id) FROM transfers t WHERE t.debit_account_id = a.id) "
                 "FROM accounts a LEFT JOIN escrows e ON e.account_id = a.id "
                 "WHERE a.kind = 'milestone_escrow' ORDER BY a.id")) {
        AuditedEscrow e;
        e.account_id = r[0].as<std::int64_t>();
        e.milestone_id = r[1].c_str();
        e.currency = r[2].c_str();
        e.balance = r[3].as<std::int64_t>();
        e.has_record = r[4].as<bool>();
        e.state = r[5].c_str();
        e.amount = r[6].as<std::int64_t>();
        e.funding_operations = r[7].as<std::int64_t>();
        e.settlement_operations = r[8].as<std::int64_t>();
        snapshot.escrows.push_back(std::move(e));
    }
    snapshot.transfers = tx.exec1("SELECT count(*) FROM transfers")[0].as<std::int64_t>();
    for (const auto& r : tx.exec("SELECT currency, sum(balance)::bigint FROM accounts WHERE kind = 'platform_fees' "
                                 "GROUP BY currency ORDER BY currency")) {
        snapshot.platform_fees.emplace_back(r[0].c_str(), r[1].as<std::int64_t>());
    }
    return snapshot;
}

}  // namespace marketplace::payments::storage
