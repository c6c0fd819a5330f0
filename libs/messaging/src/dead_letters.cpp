#include "marketplace/messaging/dead_letters.hpp"
#include "marketplace/db/statements.hpp"

#include <pqxx/nontransaction>
#include <pqxx/pqxx>
#include <pqxx/transaction>

namespace marketplace::messaging {

std::vector<DeadLetter> ListDeadLetters(pqxx::connection& conn, const DeadLetterFilter& filter) {
    pqxx::nontransaction q(conn);
    const auto r =
        db::Exec(q,
                 "SELECT id, consumer, topic, partition, \"offset\", event_key, event_id, status, error, attempts, "
                 "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
                 "FROM dead_letters WHERE ($1::text IS NULL OR consumer = $1) AND ($2::text IS NULL OR event_key = $2) "
                 "AND ($3 OR status <> 'resolved') ORDER BY id LIMIT $4",
                 filter.consumer, filter.key, filter.include_resolved, filter.limit);
    std::vector<DeadLetter> out;
    for (const auto& row : r) {
        DeadLetter d;
        d.id = row[0].as<std::int64_t>();
        d.consumer = row[1].c_str();
        d.topic = row[2].c_str();
        d.partition = row[3].as<std::int32_t>();
        d.offset = row[4].as<std::int64_t>();
        d.key = row[5].c_str();
        d.event_id = row[6].c_str();
        d.status = row[7].c_str();
        d.error = row[8].c_str();
        d.attempts = row[9].as<int>();
        d.created_at = row[10].c_str();
        out.push_back(std::move(d));
    }
    return out;
}

std::int64_t RequestRedrive(pqxx::connection& conn, const DeadLetterFilter& filter) {
    pqxx::work tx(conn);
    // Every open row of a key that has a parked event: the parked one first, then those behind it.
    const auto r =
        db::Exec(tx,
                 "UPDATE dead_letters d SET status = 'redrive', updated_at = clock_timestamp() "
                 "WHERE d.status IN ('parked', 'waiting') AND ($1::text IS NULL OR d.consumer = $1) "
                 "AND ($2::text IS NULL OR d.event_key = $2) "
                 "AND EXISTS (SELECT 1 FROM dead_letters p WHERE p.consumer = d.consumer AND p.event_key = d.event_key "
                 "            AND p.status = 'parked')",
                 filter.consumer, filter.key);
    tx.commit();
    return static_cast<std::int64_t>(r.affected_rows());
}

std::int64_t CountOpenDeadLetters(pqxx::connection& conn, const std::optional<std::string>& consumer) {
    pqxx::nontransaction q(conn);
    return db::Exec1(
               q,
               "SELECT count(*) FROM dead_letters WHERE status <> 'resolved' AND ($1::text IS NULL OR consumer = $1)",
               consumer)[0]
        .as<std::int64_t>();
}

}  // namespace marketplace::messaging
