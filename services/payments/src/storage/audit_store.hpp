#pragma once
// The ledger audit's snapshot, read in the caller's (repeatable-read) transaction.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/transaction>

#include "domain/audit.hpp"

namespace marketplace::payments::storage {

struct AuditSnapshot {
    std::vector<AuditedAccount> accounts;
    std::vector<AuditedEscrow> escrows;
    std::int64_t transfers = 0;
    std::vector<std::pair<std::string, std::int64_t>> platform_fees;  // currency, sum of the shards
};

AuditSnapshot ReadAuditSnapshot(pqxx::work& tx);

}  // namespace marketplace::payments::storage
