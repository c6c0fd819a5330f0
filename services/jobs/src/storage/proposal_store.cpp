#include "storage/proposal_store.hpp"

#include <map>

#include <pqxx/pqxx>

#include "marketplace/core/errors.hpp"
#include "marketplace/db/statements.hpp"
#include "marketplace/db/values.hpp"
#include "storage/sql.hpp"

namespace marketplace::jobs {
namespace {

constexpr char kNilUuid[] = "00000000-0000-0000-0000-000000000000";

const std::string& Columns() {
    static const std::string columns =
        "p.proposal_id::text, p.job_id::text, p.freelancer_id, p.cover_letter, p.currency, p.total, "
        "p.delivery_days, p.status, " +
        db::MicrosOf("p.created_at") + ", " + db::MicrosOf("p.updated_at");
    return columns;
}

ProposalRecord ReadProposal(const pqxx::row& r) {
    const auto currency = core::Currency::Parse(r[4].as<std::string>());
    return ProposalRecord{
        r[0].as<std::string>(),
        r[1].as<std::string>(),
        r[2].as<std::string>(),
        ProposalPlan{
            r[3].as<std::string>(), {}, core::Money(r[5].as<std::int64_t>(), currency), r[6].as<std::int32_t>()},
        ParseProposalStatus(r[7].as<std::string>()),
        r[8].as<std::int64_t>(),
        r[9].as<std::int64_t>()};
}

/// Loads the milestones of every proposal in `proposals` with one query.
void LoadMilestones(pqxx::work& tx, std::vector<ProposalRecord>& proposals) {
    if (proposals.empty()) return;
    std::vector<std::string> ids;
    std::map<std::string, ProposalRecord*> by_id;
    for (auto& p : proposals) {
        ids.push_back(p.proposal_id);
        by_id[p.proposal_id] = &p;
    }
    const auto rows = db::Exec(tx,
                               "SELECT proposal_id::text, title, description, amount, " + db::MicrosOf("due_date") +
                                   ", definition_of_done::text FROM proposal_milestones "
                                   "WHERE proposal_id = ANY(ARRAY(SELECT jsonb_array_elements_text($1::jsonb)::uuid)) "
                                   "ORDER BY proposal_id, position",
                               sql::JsonArray(ids));
    for (const auto& r : rows) {
        auto* p = by_id.at(r[0].as<std::string>());
        p->plan.milestones.push_back(PlannedMilestone{r[1].as<std::string>(), r[2].as<std::string>(),
                                                      core::Money(r[3].as<std::int64_t>(), p->plan.total.currency()),
                                                      db::TimeFromMicros(r[4].as<std::int64_t>()),
                                                      sql::ParseJsonArray(r[5].as<std::string>())});
    }
}

Page<ProposalRecord> ReadPage(pqxx::work& tx, const pqxx::result& result, std::int32_t page_size) {
    Page<ProposalRecord> page;
    for (const auto& row : result) {
        if (static_cast<std::int32_t>(page.rows.size()) == page_size) {
            page.next = PageCursor{"", page.rows.back().created_micros, page.rows.back().proposal_id};
            break;
        }
        page.rows.push_back(ReadProposal(row));
    }
    LoadMilestones(tx, page.rows);
    return page;
}

std::string StatusParam(std::optional<ProposalStatus> status) {
    return status ? std::string(ProposalStatusName(*status)) : std::string();
}

}  // namespace

void ProposalStore::Insert(pqxx::work& tx, const ProposalRecord& p) {
    try {
        db::Exec0(
            tx,
            "INSERT INTO proposals (proposal_id, job_id, freelancer_id, cover_letter, currency, total, delivery_days, "
            "status, created_at, updated_at) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, " +
                db::TimeFromMicrosParam(9) + ", " + db::TimeFromMicrosParam(9) + ")",
            p.proposal_id, p.job_id, p.freelancer_id, p.plan.cover_letter, std::string(p.plan.total.currency().code()),
            p.plan.total.minor_units(), p.plan.delivery_days, std::string(ProposalStatusName(p.status)),
            p.created_micros);
    } catch (const pqxx::unique_violation&) {
        // The transaction is aborted; the caller's InTransaction rolls it back.
        throw core::Conflict("you already have a live proposal on this job; withdraw it to submit another");
    }
    for (std::size_t i = 0; i < p.plan.milestones.size(); ++i) {
        const auto& m = p.plan.milestones[i];
        db::Exec0(tx,
                  "INSERT INTO proposal_milestones (proposal_id, position, title, description, amount, due_date, "
                  "definition_of_done) VALUES ($1::uuid, $2, $3, $4, $5, " +
                      db::TimeFromMicrosParam(6) + ", $7::jsonb)",
                  p.proposal_id, static_cast<int>(i), m.title, m.description, m.amount.minor_units(),
                  db::MicrosSinceEpoch(m.due_date), sql::JsonArray(m.definition_of_done));
    }
}

std::optional<ProposalRecord> ProposalStore::Find(pqxx::work& tx, const std::string& proposal_id, RowLock lock) {
    const auto rows =
        db::Exec(tx, "SELECT " + Columns() + " FROM proposals p WHERE p.proposal_id = $1::uuid" + db::LockClause(lock),
                 proposal_id);
    if (rows.empty()) return std::nullopt;
    std::vector<ProposalRecord> found{ReadProposal(rows[0])};
    LoadMilestones(tx, found);
    return std::move(found.front());
}

bool ProposalStore::HasLive(pqxx::work& tx, const std::string& job_id, const std::string& freelancer_id) {
    return db::Exec1(tx,
                     "SELECT EXISTS (SELECT 1 FROM proposals WHERE job_id = $1::uuid AND freelancer_id = $2 "
                     "AND status = 'submitted')",
                     job_id, freelancer_id)[0]
        .as<bool>();
}

long ProposalStore::CountLive(pqxx::work& tx, const std::string& job_id) {
    return db::Exec1(tx, "SELECT count(*) FROM proposals WHERE job_id = $1::uuid AND status = 'submitted'", job_id)[0]
        .as<long>();
}

void ProposalStore::SetStatus(pqxx::work& tx, const std::string& proposal_id, ProposalStatus status,
                              std::int64_t now_micros) {
    db::Exec0(tx,
              "UPDATE proposals SET status = $2, updated_at = " + db::TimeFromMicrosParam(3) +
                  " WHERE proposal_id = $1::uuid",
              proposal_id, std::string(ProposalStatusName(status)), now_micros);
}

int ProposalStore::DeclineLive(pqxx::work& tx, const std::string& job_id, const std::string& except_id,
                               std::int64_t now_micros) {
    const auto result =
        db::Exec(tx,
                 "UPDATE proposals SET status = 'declined', updated_at = " + db::TimeFromMicrosParam(3) +
                     " WHERE job_id = $1::uuid AND status = 'submitted' AND proposal_id <> $2::uuid",
                 job_id, except_id.empty() ? std::string(kNilUuid) : except_id, now_micros);
    return static_cast<int>(result.affected_rows());
}

Page<ProposalRecord> ProposalStore::ListByJob(pqxx::work& tx, const std::string& job_id,
                                              std::optional<ProposalStatus> status, std::int32_t page_size,
                                              const std::optional<PageCursor>& after) {
    const auto rows = db::Exec(tx,
                               "SELECT " + Columns() +
                                   " FROM proposals p WHERE p.job_id = $1::uuid AND ($2 = '' OR p.status = $2) "
                                   "AND (NOT $3 OR (p.created_at, p.proposal_id) > (" +
                                   db::TimeFromMicrosParam(4) +
                                   ", $5::uuid)) "
                                   "ORDER BY p.created_at, p.proposal_id LIMIT $6",
                               job_id, StatusParam(status), after.has_value(), after ? after->created_micros : 0,
                               after ? after->id : std::string(kNilUuid), page_size + 1);
    return ReadPage(tx, rows, page_size);
}

Page<ProposalRecord> ProposalStore::ListByFreelancer(pqxx::work& tx, const std::string& freelancer_id,
                                                     std::optional<ProposalStatus> status, std::int32_t page_size,
                                                     const std::optional<PageCursor>& after) {
    const auto rows = db::Exec(tx,
                               "SELECT " + Columns() +
                                   " FROM proposals p WHERE p.freelancer_id = $1 AND ($2 = '' OR p.status = $2) "
                                   "AND (NOT $3 OR (p.created_at, p.proposal_id) < (" +
                                   db::TimeFromMicrosParam(4) +
                                   ", $5::uuid)) "
                                   "ORDER BY p.created_at DESC, p.proposal_id DESC LIMIT $6",
                               freelancer_id, StatusParam(status), after.has_value(), after ? after->created_micros : 0,
                               after ? after->id : std::string(kNilUuid), page_size + 1);
    return ReadPage(tx, rows, page_size);
}

}  // namespace marketplace::jobs
