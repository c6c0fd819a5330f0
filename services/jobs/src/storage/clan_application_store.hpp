#pragma once
// SQL for clans' applications: the team plan, the split and each named member's agreement.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "domain/team_plan.hpp"

namespace marketplace::jobs {

struct AgreementRecord {
    TeamMember member;
    std::int64_t share_weight = 0;
    std::optional<std::int64_t> agreed_micros;
};

struct ClanApplicationRecord {
    std::string proposal_id;
    std::string clan_id;
    std::string submitted_by;
    SplitMode mode = SplitMode::kBasisPoints;
    std::int64_t member_pool = 0;
    std::vector<AgreementRecord> agreements;  // in the plan's order

    bool AllAgreed() const;
    const AgreementRecord* Find(const std::string& user_id) const;
};

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
