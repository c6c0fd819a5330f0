#include "storage/escrow_store.hpp"

#include <stdexcept>

#include <pqxx/pqxx>

#include "marketplace/db/arrays.hpp"
#include "marketplace/db/statements.hpp"
#include "storage/ledger_store.hpp"

namespace marketplace::payments::storage {

void EscrowStore::LockMilestone(pqxx::work& tx, const std::string& milestone_id) const {
    db::Exec(tx, "SELECT pg_advisory_xact_lock(hashtextextended('payments.escrow:' || $1, 0))", milestone_id);
}

namespace {

std::string EscrowSelect() {
    return "SELECT e.milestone_id::text, e.contract_id::text, e.client_id::text, e.account_id, e.amount, e.currency, "
           "e.state, e.funded_attempt, " +
           Rfc3339Sql("e.funded_at") + ", " + Rfc3339Sql("e.settled_at") +
           ", COALESCE(e.settlement_operation_id, ''), a.balance, COALESCE(e.dispute_id::text, ''), "
           "COALESCE(e.clan_split::text, '') "
           "FROM escrows e JOIN accounts a ON a.id = e.account_id ";
}

EscrowRecord ReadEscrow(const pqxx::row& r) {
    EscrowRecord e;
    e.milestone_id = r[0].c_str();
    e.contract_id = r[1].c_str();
    e.client_id = r[2].c_str();
    e.account_id = r[3].as<std::int64_t>();
    e.amount = r[4].as<std::int64_t>();
    e.currency = r[5].c_str();
    const auto state = ParseEscrowState(r[6].c_str());
    if (!state) throw std::logic_error("escrow " + e.milestone_id + " has an unknown state '" + r[6].c_str() + "'");
    e.state = *state;
    e.funded_attempt = r[7].as<int>();
    e.funded_at = r[8].c_str();
    e.settled_at = r[9].c_str();
    e.settlement_operation_id = r[10].c_str();
    e.held = r[11].as<std::int64_t>();
    e.dispute_id = r[12].c_str();
    e.clan_split_json = r[13].c_str();
    return e;
}

}  // namespace

std::optional<EscrowRecord> EscrowStore::Find(pqxx::work& tx, const std::string& milestone_id, bool for_update) const {
    const std::string sql = EscrowSelect() + "WHERE e.milestone_id = $1::uuid" + (for_update ? " FOR UPDATE OF e" : "");
    auto rows = db::Exec(tx, sql, milestone_id);
    if (rows.empty()) return std::nullopt;
    return ReadEscrow(rows[0]);
}

std::map<std::string, EscrowRecord> EscrowStore::FindForUpdate(pqxx::work& tx,
                                                               const std::vector<std::string>& milestone_ids) const {
    std::map<std::string, EscrowRecord> out;
    for (const auto& row :
         db::Exec(tx, EscrowSelect() + "WHERE e.milestone_id = ANY($1::uuid[]) ORDER BY e.milestone_id FOR UPDATE OF e",
                  db::TextArray(milestone_ids))) {
        auto record = ReadEscrow(row);
        out.emplace(record.milestone_id, std::move(record));
    }
    return out;
}

void EscrowStore::Insert(pqxx::work& tx, const EscrowRecord& e, core::Clock::TimePoint now) const {
    db::Exec(
        tx,
        "INSERT INTO escrows (milestone_id, contract_id, client_id, account_id, amount, currency, state, "
        "funded_attempt, funded_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, 'funded', $7, $8::timestamptz)",
        e.milestone_id, e.contract_id, e.client_id, e.account_id, e.amount, e.currency, e.funded_attempt,
        Timestamp(now));
}

void EscrowStore::Settle(pqxx::work& tx, const std::string& milestone_id, EscrowState state,
                         const std::string& operation_id, core::Clock::TimePoint now) const {
    const auto r = db::Exec(tx,
                            "UPDATE escrows SET state = $2, settled_at = $3::timestamptz, settlement_operation_id = $4 "
                            "WHERE milestone_id = $1::uuid AND state = 'funded'",
                            milestone_id, std::string(EscrowStateName(state)), Timestamp(now), operation_id);
    if (r.affected_rows() != 1) throw std::logic_error("escrow " + milestone_id + " is not funded");
}

void EscrowStore::Settle(pqxx::work& tx, const std::vector<std::string>& milestone_ids, EscrowState state,
                         const std::vector<std::string>& operation_ids, core::Clock::TimePoint now) const {
    const auto r = db::Exec(tx,
                            "UPDATE escrows AS e SET state = $3, settled_at = $4::timestamptz, "
                            "settlement_operation_id = s.operation_id "
                            "FROM unnest($1::uuid[], $2::text[]) AS s(milestone_id, operation_id) "
                            "WHERE e.milestone_id = s.milestone_id AND e.state = 'funded'",
                            db::TextArray(milestone_ids), db::TextArray(operation_ids),
                            std::string(EscrowStateName(state)), Timestamp(now));
    if (r.affected_rows() != milestone_ids.size()) {
        throw std::logic_error("escrows: " + std::to_string(r.affected_rows()) + " of " +
                               std::to_string(milestone_ids.size()) + " were funded");
    }
}

bool EscrowStore::SetDispute(pqxx::work& tx, const std::string& milestone_id, const std::string& dispute_id,
                             const std::string& clan_split_json) const {
    const std::optional<std::string> id = dispute_id.empty() ? std::nullopt : std::optional<std::string>(dispute_id);
    const std::optional<std::string> split =
        clan_split_json.empty() ? std::nullopt : std::optional<std::string>(clan_split_json);
    return db::Exec(tx,
                    "UPDATE escrows SET dispute_id = $2::uuid, clan_split = $3::jsonb WHERE milestone_id = $1::uuid",
                    milestone_id, id, split)
               .affected_rows() == 1;
}

std::optional<FundingAnswer> EscrowStore::FindAnswer(pqxx::work& tx, const std::string& milestone_id,
                                                     int attempt) const {
    auto rows =
        db::Exec(tx, "SELECT funded, reason FROM funding_answers WHERE milestone_id = $1::uuid AND attempt = $2",
                 milestone_id, attempt);
    if (rows.empty()) return std::nullopt;
    return FundingAnswer{rows[0][0].as<bool>(), rows[0][1].c_str()};
}

void EscrowStore::RecordAnswer(pqxx::work& tx, const std::string& milestone_id, int attempt,
                               const FundingAnswer& answer, core::Clock::TimePoint now) const {
    db::Exec(tx,
             "INSERT INTO funding_answers (milestone_id, attempt, funded, reason, answered_at) "
             "VALUES ($1::uuid, $2, $3, $4, $5::timestamptz) ON CONFLICT DO NOTHING",
             milestone_id, attempt, answer.funded, answer.reason, Timestamp(now));
}

std::vector<std::pair<std::string, std::int64_t>> EscrowStore::HeldForClient(pqxx::work& tx,
                                                                             const std::string& client_id) const {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& row :
         db::Exec(tx,
                  "SELECT a.currency, sum(a.balance)::bigint FROM escrows e JOIN accounts a ON a.id = e.account_id "
                  "WHERE e.client_id = $1::uuid AND e.state = 'funded' GROUP BY a.currency ORDER BY a.currency",
                  client_id)) {
        out.emplace_back(row[0].c_str(), row[1].as<std::int64_t>());
    }
    return out;
}

}  // namespace marketplace::payments::storage
