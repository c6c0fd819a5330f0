#include "support.hpp"

#include <stdexcept>
#include <thread>

#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "marketplace/db/migration_runner.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "messaging_migrations.hpp"

namespace marketplace::messaging::test {

MessagingDb::MessagingDb(const std::string& tag) : database_(tag) {
    pqxx::connection conn(database_.conninfo());
    db::ApplyMigrations(conn, "messaging", migrations::messaging());
    pqxx::nontransaction q(conn);
    q.exec(
        "CREATE TABLE effects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, consumer text NOT NULL, "
        "event_id text NOT NULL, event_key text NOT NULL, payload text NOT NULL);"
        "CREATE TABLE aggregates (id text PRIMARY KEY, version bigint NOT NULL DEFAULT 0);");
    pool_ = std::make_unique<db::Pool>(database_.Config(16));
}

std::int64_t MessagingDb::Scalar(const std::string& sql) {
    auto lease = pool_->Acquire();
    pqxx::nontransaction q(*lease);
    return q.exec(sql)[0][0].as<std::int64_t>();
}

std::map<std::string, std::vector<std::string>> MessagingDb::EffectsByKey(const std::string& consumer) {
    auto lease = pool_->Acquire();
    pqxx::nontransaction q(*lease);
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& row :
         q.exec_params("SELECT event_key, payload FROM effects WHERE consumer = $1 ORDER BY id", consumer)) {
        out[row[0].c_str()].emplace_back(row[1].c_str());
    }
    return out;
}

std::map<std::string, int> MessagingDb::EffectCounts(const std::string& consumer) {
    auto lease = pool_->Acquire();
    pqxx::nontransaction q(*lease);
    std::map<std::string, int> out;
    for (const auto& row :
         q.exec_params("SELECT event_id, count(*) FROM effects WHERE consumer = $1 GROUP BY event_id", consumer)) {
        out[row[0].c_str()] = row[1].as<int>();
    }
    return out;
}

void CreateTopic(const std::string& topic, int partitions) { testing::BrokerControl().CreateTopic(topic, partitions); }

KafkaConfig TestKafka() {
    KafkaConfig k;
    k.bootstrap = testing::BrokerControl::Bootstrap();
    k.linger_ms = 0;
    k.session_timeout_ms = 6000;
    return k;
}

std::vector<std::string> AppendCommitted(db::Pool& pool, const std::string& topic, const std::string& key,
                                         const std::vector<std::string>& payloads) {
    Outbox outbox("tests");
    std::vector<std::string> ids;
    for (const auto& p : payloads) {
        ids.push_back(db::InTransaction(pool, [&](pqxx::work& tx) {
            tx.exec_params(
                "INSERT INTO aggregates (id, version) VALUES ($1, 1) "
                "ON CONFLICT (id) DO UPDATE SET version = aggregates.version + 1",
                key);
            return outbox.Append(tx, OutgoingEvent{topic, key, "marketplace.tests.v1.Happened", p, 1, ""});
        }));
    }
    return ids;
}

EventHandler RecordingHandler(const std::string& consumer) {
    return [consumer](pqxx::work& tx, const IncomingEvent& e) {
        tx.exec_params("INSERT INTO effects (consumer, event_id, event_key, payload) VALUES ($1, $2, $3, $4)", consumer,
                       e.id, e.key, e.payload);
    };
}

}  // namespace marketplace::messaging::test
