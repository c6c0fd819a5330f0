#pragma once
// The ledger legs of the operations about one reference (a milestone), with both accounts' kinds
// and owners: what the saga timeline shows of a milestone's money.
#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/transaction>

namespace marketplace::payments::storage {

struct LegRecord {
    std::string operation_id;
    std::string operation_kind;
    int leg = 0;
    std::string debit_kind;
    std::string debit_owner;
    std::string credit_kind;
    std::string credit_owner;
    std::int64_t amount = 0;
    std::string currency;
    std::string created_at;  // RFC 3339 UTC with microseconds
};

/// Every transfer of the operations whose reference is `reference`, in posting order.
std::vector<LegRecord> LegsOfReference(pqxx::work& tx, const std::string& reference);

}  // namespace marketplace::payments::storage
