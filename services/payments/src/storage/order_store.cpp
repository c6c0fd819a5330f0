#include "storage/order_store.hpp"

#include <stdexcept>

#include <pqxx/pqxx>

#include "marketplace/db/statements.hpp"
#include "storage/ledger_store.hpp"

namespace marketplace::payments::storage {

void OrderStore::Insert(pqxx::work& tx, const ProviderOrder& o, core::Clock::TimePoint now) const {
    db::Exec(tx,
             std::string("INSERT INTO ") + table() +
                 " (id, user_id, amount, currency, status, provider, created_at) "
                 "VALUES ($1::uuid, $2::uuid, $3, $4, 'pending', $5, $6::timestamptz)",
             o.id, o.user_id, o.amount, o.currency, o.provider, Timestamp(now));
}

std::optional<ProviderOrder> OrderStore::Find(pqxx::work& tx, const std::string& id, bool for_update) const {
    const std::string sql = "SELECT id::text, user_id::text, amount, currency, status, provider, failure_reason, " +
                            Rfc3339Sql("created_at") + ", " + Rfc3339Sql("settled_at") + " FROM " + table() +
                            " WHERE id = $1::uuid" + (for_update ? " FOR UPDATE" : "");
    auto rows = db::Exec(tx, sql, id);
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    ProviderOrder o;
    o.id = r[0].c_str();
    o.user_id = r[1].c_str();
    o.amount = r[2].as<std::int64_t>();
    o.currency = r[3].c_str();
    o.status = r[4].c_str();
    o.provider = r[5].c_str();
    o.failure_reason = r[6].c_str();
    o.created_at = r[7].c_str();
    o.settled_at = r[8].c_str();
    return o;
}

void OrderStore::Settle(pqxx::work& tx, const std::string& id, const std::string& status,
                        const std::string& failure_reason, core::Clock::TimePoint now) const {
    const auto r = db::Exec(tx,
                            std::string("UPDATE ") + table() +
                                " SET status = $2, failure_reason = $3, settled_at = $4::timestamptz "
                                "WHERE id = $1::uuid AND status = 'pending'",
                            id, status, failure_reason, Timestamp(now));
    if (r.affected_rows() != 1) throw std::logic_error(std::string(table()) + " " + id + " is not pending");
}

bool ProviderEventStore::Claim(pqxx::work& tx, const std::string& event_id, const std::string& type,
                               const std::string& reference, core::Clock::TimePoint now) const {
    const auto r = db::Exec(tx,
                            "INSERT INTO provider_events (event_id, event_type, reference, outcome, received_at) "
                            "VALUES ($1, $2, $3::uuid, 'applied', $4::timestamptz) ON CONFLICT (event_id) DO NOTHING",
                            event_id, type, reference, Timestamp(now));
    return r.affected_rows() == 1;
}

void ProviderEventStore::MarkIgnored(pqxx::work& tx, const std::string& event_id) const {
    db::Exec(tx, "UPDATE provider_events SET outcome = 'ignored' WHERE event_id = $1", event_id);
}

}  // namespace marketplace::payments::storage
