#pragma once
// SQL for clans' applications: the team plan, the split and each named member's agreement.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/proposal.hpp"

namespace marketplace::jobs {

/// The stored forms are the domain's.
using AgreementRecord = Agreement;
using ClanApplicationRecord = ClanApplication;

class ClanApplicationStore final {
public:
    static void Insert(pqxx::work& tx, const std::string& proposal_id, const std::string& clan_id,
                       const std::string& submitted_by, const TeamPlan& plan);
    static std::optional<ClanApplicationRecord> Find(pqxx::work& tx, const std::string& proposal_id);
    /// Records `user_id`'s agreement; false when they had agreed already.
    static bool Agree(pqxx::work& tx, const std::string& proposal_id, const std::string& user_id,
                      std::int64_t now_micros);
};

}  // namespace marketplace::jobs
