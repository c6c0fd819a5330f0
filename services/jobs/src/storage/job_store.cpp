#include "storage/job_store.hpp"

#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"
#include "storage/sql.hpp"

namespace marketplace::jobs {
namespace {

const std::string& Columns() {
    static const std::string columns =
        "j.job_id::text, j.client_id, j.title, j.description, array_to_json(j.stack)::text, j.currency, "
        "j.budget_min, j.budget_max, j.nda_required, j.ip_assignment, j.repo_url, coalesce(j.template_id, ''), "
        "j.status, coalesce(j.accepted_proposal_id::text, ''), " +
        db::MicrosOf("j.created_at") + ", " + db::MicrosOf("j.updated_at");
    return columns;
}
constexpr int kColumnCount = 16;

JobRecord ReadJob(const pqxx::row& r) {
    const auto currency = core::Currency::Parse(r[5].as<std::string>());
    JobSpec spec{r[2].as<std::string>(),
                 r[3].as<std::string>(),
                 sql::ParseJsonArray(r[4].as<std::string>()),
                 core::Money(r[6].as<std::int64_t>(), currency),
                 core::Money(r[7].as<std::int64_t>(), currency),
                 r[8].as<bool>(),
                 r[9].as<bool>(),
                 r[10].as<std::string>(),
                 r[11].as<std::string>()};
    return JobRecord{r[0].as<std::string>(),  r[1].as<std::string>(),
                     std::move(spec),         ParseJobStatus(r[12].as<std::string>()),
                     r[13].as<std::string>(), r[14].as<std::int64_t>(),
                     r[15].as<std::int64_t>()};
}

/// Reads up to page_size rows; a further row (the query asks for page_size + 1) means another page.
Page<JobRecord> ReadPage(const pqxx::result& result, std::int32_t page_size, bool ranked) {
    Page<JobRecord> page;
    for (const auto& row : result) {
        if (static_cast<std::int32_t>(page.rows.size()) == page_size) {
            const auto& last = page.rows.back();
            const auto& last_row = result[static_cast<pqxx::result::size_type>(page_size - 1)];
            page.next = PageCursor{ranked ? last_row[kColumnCount].as<std::string>() : std::string(),
                                   last.created_micros, last.job_id};
            break;
        }
        page.rows.push_back(ReadJob(row));
    }
    return page;
}

std::vector<std::string> StatusNames(const std::vector<JobStatus>& statuses) {
    std::vector<std::string> names;
    for (const auto s : statuses) names.emplace_back(JobStatusName(s));
    return names;
}

}  // namespace

void JobStore::Insert(pqxx::work& tx, const JobRecord& job) {
    const auto& s = job.spec;
    db::Exec0(
        tx,
        "INSERT INTO jobs (job_id, client_id, title, description, stack, currency, budget_min, budget_max, "
        "nda_required, ip_assignment, repo_url, template_id, status, created_at, updated_at) "
        "VALUES ($1::uuid, $2, $3, $4, ARRAY(SELECT jsonb_array_elements_text($5::jsonb)), $6, $7, $8, $9, $10, $11, "
        "NULLIF($12, ''), $13, " +
            db::TimeFromMicrosParam(14) + ", " + db::TimeFromMicrosParam(14) + ")",
        job.job_id, job.client_id, s.title, s.description, sql::JsonArray(s.stack), std::string(s.currency().code()),
        s.budget_min.minor_units(), s.budget_max.minor_units(), s.nda_required, s.ip_assignment, s.repo_url,
        s.template_id, std::string(JobStatusName(job.status)), job.created_micros);
}

std::optional<JobRecord> JobStore::Find(pqxx::work& tx, const std::string& job_id, RowLock lock) {
    const auto rows =
        db::Exec(tx, "SELECT " + Columns() + " FROM jobs j WHERE j.job_id = $1::uuid" + db::LockClause(lock), job_id);
    if (rows.empty()) return std::nullopt;
    return ReadJob(rows[0]);
}

void JobStore::UpdateSpec(pqxx::work& tx, const std::string& job_id, const JobSpec& s, std::int64_t now_micros) {
    db::Exec0(
        tx,
        "UPDATE jobs SET title = $2, description = $3, stack = ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), "
        "currency = $5, budget_min = $6, budget_max = $7, nda_required = $8, ip_assignment = $9, repo_url = $10, "
        "updated_at = " +
            db::TimeFromMicrosParam(11) + " WHERE job_id = $1::uuid",
        job_id, s.title, s.description, sql::JsonArray(s.stack), std::string(s.currency().code()),
        s.budget_min.minor_units(), s.budget_max.minor_units(), s.nda_required, s.ip_assignment, s.repo_url,
        now_micros);
}

void JobStore::SetStatus(pqxx::work& tx, const std::string& job_id, JobStatus status,
                         const std::string& accepted_proposal_id, std::int64_t now_micros) {
    db::Exec0(tx,
              "UPDATE jobs SET status = $2, accepted_proposal_id = NULLIF($3, '')::uuid, updated_at = " +
                  db::TimeFromMicrosParam(4) + " WHERE job_id = $1::uuid",
              job_id, std::string(JobStatusName(status)), accepted_proposal_id, now_micros);
}

Page<JobRecord> JobStore::ListByClient(pqxx::work& tx, const std::string& client_id, std::optional<JobStatus> status,
                                       std::int32_t page_size, const std::optional<PageCursor>& after) {
    const auto rows = db::Exec(tx,
                               "SELECT " + Columns() +
                                   " FROM jobs j WHERE j.client_id = $1 AND ($2 = '' OR j.status = $2) "
                                   "AND (NOT $3 OR (j.created_at, j.job_id) < (" +
                                   db::TimeFromMicrosParam(4) +
                                   ", $5::uuid)) "
                                   "ORDER BY j.created_at DESC, j.job_id DESC LIMIT $6",
                               client_id, status ? std::string(JobStatusName(*status)) : std::string(),
                               after.has_value(), after ? after->created_micros : 0,
                               after ? after->id : std::string("00000000-0000-0000-0000-000000000000"), page_size + 1);
    return ReadPage(rows, page_size, false);
}

Page<JobRecord> JobStore::Search(pqxx::work& tx, const SearchSpec& spec) {
    const bool ranked = !spec.query.empty();
    const auto& after = spec.after;
    if (after && ranked == after->rank.empty()) {
        // A ranked token on an unranked query (or the reverse) cannot come from this query.
        return {};
    }
    // $1 query, $2 statuses, $3 stack keys, $4 currency, $5/$6 budget bounds (0 = none),
    // $7 has cursor, $8 cursor rank, $9 cursor time, $10 cursor id, $11 limit, $12 viewer sees every
    // job, $13 viewer id. A job that is not open is found only by whom GetJob shows it to.
    const auto rows =
        db::Exec(tx,
                 "WITH q AS (SELECT websearch_to_tsquery('english', $1) AS query) "
                 "SELECT " +
                     Columns() +
                     ", r.rank::text FROM jobs j CROSS JOIN q "
                     "CROSS JOIN LATERAL (SELECT CASE WHEN $1 = '' OR numnode(q.query) = 0 THEN 0::real "
                     "                      ELSE ts_rank(j.search_vector, q.query) END AS rank) r "
                     "WHERE j.status = ANY(ARRAY(SELECT jsonb_array_elements_text($2::jsonb))) "
                     "AND ($1 = '' OR numnode(q.query) = 0 OR j.search_vector @@ q.query) "
                     "AND j.stack_keys @> ARRAY(SELECT jsonb_array_elements_text($3::jsonb)) "
                     "AND ($4 = '' OR j.currency = $4) "
                     "AND ($5::bigint = 0 OR j.budget_max >= $5::bigint) "
                     "AND ($6::bigint = 0 OR j.budget_min <= $6::bigint) "
                     "AND (j.status = 'open' OR $12 OR j.client_id = $13 "
                     "     OR EXISTS (SELECT 1 FROM proposals p WHERE p.job_id = j.job_id AND p.freelancer_id = $13) "
                     "     OR EXISTS (SELECT 1 FROM invites i WHERE i.job_id = j.job_id AND i.freelancer_id = $13)) "
                     "AND (NOT $7 OR (r.rank, j.created_at, j.job_id) < ($8::real, " +
                     db::TimeFromMicrosParam(9) +
                     ", $10::uuid)) "
                     "ORDER BY r.rank DESC, j.created_at DESC, j.job_id DESC LIMIT $11",
                 spec.query, sql::JsonArray(StatusNames(spec.statuses)), sql::JsonArray(spec.stack_keys), spec.currency,
                 spec.budget_min.value_or(0), spec.budget_max.value_or(0), after.has_value(),
                 after && ranked ? after->rank : std::string("0"), after ? after->created_micros : 0,
                 after ? after->id : std::string("00000000-0000-0000-0000-000000000000"), spec.page_size + 1,
                 spec.viewer_sees_all, spec.viewer_id);
    return ReadPage(rows, spec.page_size, ranked);
}

bool JobStore::IsParticipant(pqxx::work& tx, const std::string& job_id, const std::string& user_id) {
    const auto row = db::Exec1(tx,
                               "SELECT EXISTS (SELECT 1 FROM proposals WHERE job_id = $1::uuid AND freelancer_id = $2) "
                               "OR EXISTS (SELECT 1 FROM invites WHERE job_id = $1::uuid AND freelancer_id = $2)",
                               job_id, user_id);
    return row[0].as<bool>();
}

}  // namespace marketplace::jobs
