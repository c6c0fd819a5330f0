#include "storage/clan_application_store.hpp"

#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"
#include "storage/sql.hpp"

namespace marketplace::jobs {

void ClanApplicationStore::Insert(pqxx::work& tx, const std::string& proposal_id, const std::string& clan_id,
                                  const std::string& submitted_by, const TeamPlan& plan) {
    db::Exec0(tx,
              "INSERT INTO clan_applications (proposal_id, clan_id, submitted_by, split_mode, member_pool) "
              "VALUES ($1::uuid, $2::uuid, $3, $4, $5)",
              proposal_id, clan_id, submitted_by, std::string(SplitModeName(plan.mode)), plan.member_pool);
    for (std::size_t i = 0; i < plan.members.size(); ++i) {
        const auto& m = plan.members[i];
        db::Exec0(
            tx,
            "INSERT INTO proposal_agreements (proposal_id, position, user_id, role, hours, deliverables, share_weight) "
            "VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb, $7)",
            proposal_id, static_cast<int>(i), m.user_id, m.role, m.hours, sql::JsonArray(m.deliverables),
            plan.shares[i].weight);
    }
}

std::optional<ClanApplicationRecord> ClanApplicationStore::Find(pqxx::work& tx, const std::string& proposal_id) {
    const auto rows = db::Exec(
        tx,
        "SELECT clan_id::text, submitted_by, split_mode, member_pool FROM clan_applications WHERE proposal_id = "
        "$1::uuid",
        proposal_id);
    if (rows.empty()) return std::nullopt;
    ClanApplicationRecord rec;
    rec.proposal_id = proposal_id;
    rec.clan_id = rows[0][0].as<std::string>();
    rec.submitted_by = rows[0][1].as<std::string>();
    rec.mode = ParseSplitMode(rows[0][2].as<std::string>());
    rec.member_pool = rows[0][3].as<std::int64_t>();
    for (const auto& r :
         db::Exec(tx,
                  "SELECT user_id, role, hours, deliverables::text, share_weight, " + db::MicrosOf("agreed_at") +
                      " FROM proposal_agreements WHERE proposal_id = $1::uuid ORDER BY position",
                  proposal_id)) {
        AgreementRecord a;
        a.member = TeamMember{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int32_t>(),
                              sql::ParseJsonArray(r[3].as<std::string>())};
        a.share_weight = r[4].as<std::int64_t>();
        if (!r[5].is_null()) a.agreed_micros = r[5].as<std::int64_t>();
        rec.agreements.push_back(std::move(a));
    }
    return rec;
}

bool ClanApplicationStore::Agree(pqxx::work& tx, const std::string& proposal_id, const std::string& user_id,
                                 std::int64_t now_micros) {
    return !db::Exec(tx,
                     "UPDATE proposal_agreements SET agreed_at = " + db::TimeFromMicrosParam(3) +
                         " WHERE proposal_id = $1::uuid AND user_id = $2 AND agreed_at IS NULL RETURNING 1",
                     proposal_id, user_id, now_micros)
                .empty();
}

}  // namespace marketplace::jobs
