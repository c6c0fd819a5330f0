#include "storage/leg_history_store.hpp"

#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "storage/ledger_store.hpp"

namespace marketplace::payments::storage {

std::vector<LegRecord> LegsOfReference(pqxx::work& tx, const std::string& reference) {
    const auto rows =
        db::Exec(tx,
                 "SELECT o.id, o.kind, t.leg, d.kind, d.owner, c.kind, c.owner, t.amount, t.currency, " +
                     Rfc3339Sql("t.created_at") +
                     " FROM operations o JOIN transfers t ON t.operation_id = o.id "
                     "JOIN accounts d ON d.id = t.debit_account_id JOIN accounts c ON c.id = t.credit_account_id "
                     "WHERE o.reference = $1 ORDER BY t.id",
                 reference);
    std::vector<LegRecord> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        out.push_back(LegRecord{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<int>(), r[3].as<std::string>(),
                                r[4].as<std::string>(), r[5].as<std::string>(), r[6].as<std::string>(),
                                r[7].as<std::int64_t>(), r[8].as<std::string>(), r[9].as<std::string>()});
    }
    return out;
}

}  // namespace marketplace::payments::storage
