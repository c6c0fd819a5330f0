#include "storage/read_model_store.hpp"

#include <pqxx/pqxx>

#include "marketplace/db/arrays.hpp"
#include "marketplace/db/statements.hpp"

namespace marketplace::notifications::storage {

bool RememberContract(pqxx::work& tx, const Parties& parties, const std::vector<std::string>& milestone_ids,
                      core::Clock::TimePoint now) {
    const auto inserted =
        db::Exec(tx,
                 "INSERT INTO contract_parties (contract_id, client_id, freelancer_id, created_at) "
                 "VALUES ($1, $2, $3, $4::timestamptz) ON CONFLICT (contract_id) DO NOTHING RETURNING 1",
                 parties.contract_id, parties.client_id, parties.freelancer_id, core::FormatRfc3339(now));
    db::Exec(tx,
             "INSERT INTO contract_milestones (milestone_id, contract_id) "
             "SELECT unnest($1::text[]), $2 ON CONFLICT (milestone_id) DO NOTHING",
             db::TextArray(milestone_ids), parties.contract_id);
    return !inserted.empty();
}

void RememberMilestone(pqxx::work& tx, const std::string& milestone_id, const std::string& contract_id) {
    db::Exec(
        tx,
        "INSERT INTO contract_milestones (milestone_id, contract_id) "
        "SELECT $1, contract_id FROM contract_parties WHERE contract_id = $2 ON CONFLICT (milestone_id) DO NOTHING",
        milestone_id, contract_id);
}

std::optional<Parties> PartiesOf(pqxx::work& tx, const std::string& contract_id) {
    const auto rows =
        db::Exec(tx, "SELECT client_id, freelancer_id FROM contract_parties WHERE contract_id = $1", contract_id);
    if (rows.empty()) return std::nullopt;
    return Parties{contract_id, rows[0][0].c_str(), rows[0][1].c_str()};
}

std::optional<std::string> ContractOfMilestone(pqxx::work& tx, const std::string& milestone_id) {
    const auto rows = db::Exec(tx, "SELECT contract_id FROM contract_milestones WHERE milestone_id = $1", milestone_id);
    if (rows.empty()) return std::nullopt;
    return std::string(rows[0][0].c_str());
}

void AddPending(pqxx::work& tx, const Notice& notice, const std::string& source_event_id, core::Clock::TimePoint now) {
    db::Exec(
        tx,
        "INSERT INTO pending_notices (contract_id, milestone_id, kind, title, recipients, source_event_id, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz)",
        notice.contract_id, notice.milestone_id, notice.kind, notice.title, EncodeRecipients(notice.recipients),
        source_event_id, core::FormatRfc3339(now));
}

std::vector<PendingNotice> TakePending(pqxx::work& tx, const std::string& contract_id) {
    const auto rows =
        db::Exec(tx,
                 "WITH taken AS (DELETE FROM pending_notices WHERE contract_id = $1 "
                 "OR milestone_id IN (SELECT milestone_id FROM contract_milestones WHERE contract_id = $1) "
                 "RETURNING id, contract_id, milestone_id, kind, title, recipients, source_event_id) "
                 "SELECT contract_id, milestone_id, kind, title, recipients, source_event_id FROM taken ORDER BY id",
                 contract_id);
    std::vector<PendingNotice> out;
    for (const auto& row : rows) {
        PendingNotice p;
        p.notice.contract_id = row[0].c_str();
        p.notice.milestone_id = row[1].c_str();
        p.notice.kind = row[2].c_str();
        p.notice.title = row[3].c_str();
        p.notice.recipients = DecodeRecipients(row[4].c_str());
        p.source_event_id = row[5].c_str();
        out.push_back(std::move(p));
    }
    return out;
}

long PendingCount(pqxx::work& tx) { return tx.exec("SELECT count(*) FROM pending_notices")[0][0].as<long>(); }

}  // namespace marketplace::notifications::storage
