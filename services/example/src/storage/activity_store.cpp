#include "storage/activity_store.hpp"

#include <pqxx/pqxx>
#include "marketplace/db/statements.hpp"

namespace marketplace::example::storage {
namespace {

ClientActivity FromRow(const pqxx::row& r) {
    return {r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<std::string>(), r[3].as<std::string>()};
}

}  // namespace

ClientActivity RecordJob(pqxx::work& tx, const std::string& client_id, const std::string& job_id,
                         const std::string& title, db::TimePoint now) {
    return FromRow(
        db::Exec1(tx,
                  "INSERT INTO client_activity (client_id, jobs_posted, last_job_id, last_job_title, updated_at) "
                  "VALUES ($1, 1, $2, $3, $4::timestamptz) "
                  "ON CONFLICT (client_id) DO UPDATE SET jobs_posted = client_activity.jobs_posted + 1, "
                  "last_job_id = EXCLUDED.last_job_id, last_job_title = EXCLUDED.last_job_title, "
                  "updated_at = EXCLUDED.updated_at "
                  "RETURNING client_id, jobs_posted, last_job_id, last_job_title",
                  client_id, job_id, title, db::TimeParam(now)));
}

std::optional<ClientActivity> LoadActivity(pqxx::work& tx, const std::string& client_id) {
    const auto rows = db::Exec(
        tx, "SELECT client_id, jobs_posted, last_job_id, last_job_title FROM client_activity WHERE client_id = $1",
        client_id);
    if (rows.empty()) return std::nullopt;
    return FromRow(rows[0]);
}

}  // namespace marketplace::example::storage
