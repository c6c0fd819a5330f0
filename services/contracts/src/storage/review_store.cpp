#include "storage/review_store.hpp"

#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"
#include "storage/pg_values.hpp"

namespace marketplace::contracts::storage {

bool InsertReview(pqxx::work& tx, const ReviewRecord& r) {
    const auto rows = db::Exec(
        tx,
        "INSERT INTO reviews (id, contract_id, milestone_id, reviewer_id, reviewee_id, reviewer_role, quality, "
        "communication, timeliness, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "$11::timestamptz) ON CONFLICT (milestone_id, reviewer_id) DO NOTHING RETURNING id",
        r.id, r.contract_id, r.milestone_id, r.reviewer_id, r.reviewee_id, std::string(ActorName(r.reviewer_role)),
        r.input.quality, r.input.communication, r.input.timeliness, r.input.text, TimeParam(r.created_at));
    return !rows.empty();
}

std::vector<ReviewRecord> ListReviews(pqxx::work& tx, const std::string& contract_id, const std::string& reviewee_id,
                                      const std::optional<Cursor>& after, int limit) {
    const bool by_contract = !contract_id.empty();
    std::string sql =
        "SELECT id, contract_id, milestone_id, reviewer_id, reviewee_id, reviewer_role, quality, "
        "communication, timeliness, body, " +
        MicrosOf("created_at") + " FROM reviews WHERE " + (by_contract ? "contract_id = $1" : "reviewee_id = $1");
    if (after)
        sql += " AND (created_at, id) < ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4::uuid)";
    sql += " ORDER BY created_at DESC, id DESC LIMIT $2";
    const std::string& key = by_contract ? contract_id : reviewee_id;
    const auto rows =
        after ? db::Exec(tx, sql, key, limit, after->created_at_micros, after->id) : db::Exec(tx, sql, key, limit);
    std::vector<ReviewRecord> out;
    for (const auto& row : rows) {
        ReviewRecord r;
        r.id = row[0].as<std::string>();
        r.contract_id = row[1].as<std::string>();
        r.milestone_id = row[2].as<std::string>();
        r.reviewer_id = row[3].as<std::string>();
        r.reviewee_id = row[4].as<std::string>();
        r.reviewer_role = row[5].as<std::string>() == "client" ? Actor::kClient : Actor::kFreelancer;
        r.input.quality = row[6].as<std::int32_t>();
        r.input.communication = row[7].as<std::int32_t>();
        r.input.timeliness = row[8].as<std::int32_t>();
        r.input.text = row[9].as<std::string>();
        r.created_at = TimeFromMicros(row[10].as<std::int64_t>());
        out.push_back(std::move(r));
    }
    return out;
}

Cursor CursorOf(const ReviewRecord& review) { return Cursor{db::MicrosSinceEpoch(review.created_at), review.id}; }

}  // namespace marketplace::contracts::storage
