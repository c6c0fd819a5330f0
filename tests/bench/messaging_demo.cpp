// The messaging core, step by step, on the local stack: a service commits a state change and its
// event together, the relay publishes it, another service's consumer applies it exactly once, and
// an event that cannot be applied is parked until it is redriven.
#include <chrono>
#include <cstdio>
#include <thread>

#include <pqxx/pqxx>

#include "marketplace/core/log.hpp"
#include "marketplace/core/trace.hpp"
#include "marketplace/db/migration_runner.hpp"
#include "marketplace/db/transaction.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "marketplace/messaging/dead_letters.hpp"
#include "marketplace/messaging/outbox.hpp"
#include "marketplace/messaging/relay.hpp"
#include "marketplace/testing/broker_control.hpp"
#include "marketplace/testing/database.hpp"
#include "marketplace/testing/event_probe.hpp"
#include "marketplace/testing/wait.hpp"
#include "messaging_migrations.hpp"

using namespace marketplace;
using namespace std::chrono_literals;

namespace {

void Step(const char* text) { std::printf("\n== %s\n", text); }

long Count(pqxx::connection& c, const std::string& sql) { return pqxx::nontransaction(c).exec(sql)[0][0].as<long>(); }

}  // namespace

int main() {
    core::log::Init("demo", "error");
    try {
        Step("Two services' databases on the local PostgreSQL (contracts publishes, payments consumes)");
        testing::TestDatabase contracts("demo_contracts"), payments("demo_payments");
        for (auto* d : {&contracts, &payments}) {
            pqxx::connection c(d->conninfo());
            const auto report = db::ApplyMigrations(c, "messaging", migrations::messaging());
            std::printf("   %s: applied %zu migration(s)\n", d->name().c_str(), report.applied.size());
        }
        {
            pqxx::connection c(contracts.conninfo());
            pqxx::nontransaction(c).exec("CREATE TABLE milestones (id text PRIMARY KEY, state text NOT NULL)");
            pqxx::connection p(payments.conninfo());
            pqxx::nontransaction(p).exec(
                "CREATE TABLE escrow_requests (milestone_id text PRIMARY KEY, amount bigint NOT NULL)");
        }
        const std::string topic = testing::UniqueTopic("demo.contracts.events");
        testing::BrokerControl().CreateTopic(topic, 3);
        messaging::KafkaConfig kafka;
        kafka.bootstrap = testing::BrokerControl::Bootstrap();
        kafka.linger_ms = 0;
        std::printf("   Kafka cluster at %s, topic %s\n", kafka.bootstrap.c_str(), topic.c_str());

        Step("contracts: the client asks to fund milestone m-1 (state change + event in ONE transaction)");
        db::Pool pool(contracts.Config(2));
        const messaging::Outbox outbox("contracts");
        auto request_funding = [&](const std::string& milestone, const std::string& payload) {
            return db::InTransaction(pool, [&](pqxx::work& tx) {
                tx.exec_params(
                    "INSERT INTO milestones (id, state) VALUES ($1, 'funding_pending') "
                    "ON CONFLICT (id) DO UPDATE SET state = 'funding_pending'",
                    milestone);
                return outbox.Append(tx, {topic, milestone, "marketplace.contracts.v1.MilestoneFundingRequested",
                                          payload, 1, core::TraceContext::NewRoot().ToTraceparent()});
            });
        };
        const auto id = request_funding("m-1", "amount=150000");
        pqxx::connection cc(contracts.conninfo());
        std::printf("   committed event %s; outbox rows waiting: %ld\n", id.c_str(),
                    Count(cc, "SELECT count(*) FROM outbox"));

        Step("payments: its consumer group joins");
        std::atomic<bool> reject_bad{true};
        messaging::ConsumerOptions co;
        co.group = "payments-demo-" + payments.name();
        co.topics = {topic};
        co.redrive_poll = 200ms;
        messaging::InboxConsumer consumer(
            payments.Config(2), kafka, co, [&](pqxx::work& tx, const messaging::IncomingEvent& e) {
                if (e.payload.rfind("amount=", 0) != 0 && reject_bad)
                    throw messaging::PermanentError("payload is not an amount");
                const long amount = e.payload.rfind("amount=", 0) == 0 ? std::stol(e.payload.substr(7)) : 0;
                tx.exec_params(
                    "INSERT INTO escrow_requests (milestone_id, amount) VALUES ($1, $2) ON CONFLICT (milestone_id) DO "
                    "UPDATE SET amount = EXCLUDED.amount",
                    e.key, amount);
                std::printf("   payments applied %s for %s (trace %s)\n", e.type.c_str(), e.key.c_str(),
                            e.traceparent.substr(3, 32).c_str());
            });
        consumer.Start();
        testing::WaitUntil([&] { return consumer.Assigned(); }, 30s);

        Step("contracts: the relay takes the publish lock and publishes with CloudEvents headers");
        messaging::OutboxRelay relay(contracts.Config(2), kafka, {.service = "contracts"});
        relay.Start();
        testing::EventProbe probe(kafka.bootstrap, {topic});
        probe.WaitForCount(1, 10s);
        for (const auto& [k, v] : probe.events().at(0).headers) std::printf("   %-16s %s\n", k.c_str(), v.c_str());
        testing::WaitUntil([&] { return consumer.metrics().handled.load() == 1; }, 10s);
        std::printf("   outbox rows left: %ld\n", Count(cc, "SELECT count(*) FROM outbox"));

        Step("A bad event for m-2 is parked; m-2's next event waits behind it; other milestones go on");
        request_funding("m-2", "garbage");
        request_funding("m-2", "amount=99000");
        request_funding("m-3", "amount=42000");
        relay.Wake();
        testing::WaitUntil(
            [&] {
                return consumer.metrics().held_behind_dead_letter.load() == 1 && consumer.metrics().handled.load() == 2;
            },
            15s);
        pqxx::connection pc(payments.conninfo());
        for (const auto& d : messaging::ListDeadLetters(pc, {})) {
            std::printf("   dead letter #%lld %s key=%s error='%s'\n", static_cast<long long>(d.id), d.status.c_str(),
                        d.key.c_str(), d.error.c_str());
        }

        Step("The handler is fixed; an operator redrives m-2 (marketplace-dlq redrive --key m-2)");
        reject_bad = false;
        std::printf("   marked %lld event(s)\n", static_cast<long long>(messaging::RequestRedrive(pc, {.key = "m-2"})));
        testing::WaitUntil([&] { return messaging::CountOpenDeadLetters(pc, std::nullopt) == 0; }, 15s);

        Step("Result in payments");
        for (const auto& row :
             pqxx::nontransaction(pc).exec("SELECT milestone_id, amount FROM escrow_requests ORDER BY 1")) {
            std::printf("   %s  %s\n", row[0].c_str(), row[1].c_str());
        }
        std::printf("   handled=%lu duplicates=%lu dead-lettered=%lu redriven=%lu\n",
                    static_cast<unsigned long>(consumer.metrics().handled),
                    static_cast<unsigned long>(consumer.metrics().duplicates),
                    static_cast<unsigned long>(consumer.metrics().dead_lettered),
                    static_cast<unsigned long>(consumer.metrics().redriven));
        relay.Stop();
        consumer.Stop();
        std::printf("\ndemo finished\n");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "demo failed: %s\n", e.what());
        return 1;
    }
    return 0;
}
