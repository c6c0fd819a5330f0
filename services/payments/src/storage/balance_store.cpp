#include "storage/balance_store.hpp"

#include <string_view>

#include <pqxx/pqxx>

#include "marketplace/db/arrays.hpp"
#include "marketplace/db/statements.hpp"

namespace marketplace::payments::storage {

std::vector<BalanceRow> BalancesOf(pqxx::transaction_base& tx, const std::string& user_id) {
    // One statement sees one snapshot: the wallet's accounts and the escrows agree with each other
    // without a REPEATABLE READ transaction (and its BEGIN and COMMIT).
    std::vector<BalanceRow> out;
    for (const auto& row :
         db::Exec(tx,
                  "SELECT kind, currency, balance FROM accounts WHERE owner = $1 AND kind = ANY($2::text[]) "
                  "UNION ALL "
                  "SELECT 'in_escrow', a.currency, sum(a.balance)::bigint FROM escrows e "
                  "JOIN accounts a ON a.id = e.account_id WHERE e.client_id = $1::uuid AND e.state = 'funded' "
                  "GROUP BY a.currency",
                  user_id, db::TextArray({"wallet_available", "payout_pending"}))) {
        BalanceRow b;
        const std::string_view kind = row[0].c_str();
        b.part = kind == "wallet_available" ? BalanceRow::Part::kAvailable
                 : kind == "payout_pending" ? BalanceRow::Part::kPendingPayouts
                                            : BalanceRow::Part::kInEscrow;
        b.currency = row[1].c_str();
        b.amount = row[2].as<std::int64_t>();
        out.push_back(std::move(b));
    }
    return out;
}

}  // namespace marketplace::payments::storage
