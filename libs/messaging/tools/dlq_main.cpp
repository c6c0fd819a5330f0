// marketplace-dlq: lists a service's dead letters and asks the running consumer to redrive them.
//
//   marketplace-dlq --service payments list [--consumer G] [--key K] [--include-resolved] [--limit N]
//   marketplace-dlq --service payments redrive (--key K | --all) [--consumer G]
//   marketplace-dlq --service payments count [--consumer G]
//
// The database comes from PG_HOST, PG_PORT, PG_DATABASE, PG_USER, PG_PASSWORD (defaults: the local
// stack's database of --service). Redrive marks rows; the service's consumer replays them in order
// within its redrive poll interval, and a failing replay parks the event again with the new error.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include <pqxx/connection>

#include "marketplace/core/config.hpp"
#include "marketplace/db/pool.hpp"
#include "marketplace/messaging/dead_letters.hpp"

namespace {

int Usage(const char* why) {
    std::fprintf(
        stderr,
        "marketplace-dlq: %s\n"
        "usage: marketplace-dlq --service NAME list [--consumer G] [--key K] [--include-resolved] [--limit N]\n"
        "       marketplace-dlq --service NAME redrive (--key K | --all) [--consumer G]\n"
        "       marketplace-dlq --service NAME count [--consumer G]\n",
        why);
    return 64;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace marketplace;
    std::string service, command;
    messaging::DeadLetterFilter filter;
    bool all = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](const char* name) -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(name) + " needs a value");
            return argv[++i];
        };
        try {
            if (a == "--service")
                service = value("--service");
            else if (a == "--consumer")
                filter.consumer = value("--consumer");
            else if (a == "--key")
                filter.key = value("--key");
            else if (a == "--limit")
                filter.limit = std::stoi(value("--limit"));
            else if (a == "--include-resolved")
                filter.include_resolved = true;
            else if (a == "--all")
                all = true;
            else if (a == "-h" || a == "--help")
                return Usage("help") == 64 ? 0 : 0;
            else if (command.empty() && a[0] != '-')
                command = a;
            else
                return Usage(("unexpected argument '" + a + "'").c_str());
        } catch (const std::exception& e) {
            return Usage(e.what());
        }
    }
    if (service.empty()) return Usage("--service is required");
    if (command != "list" && command != "redrive" && command != "count")
        return Usage("command must be list, redrive or count");
    if (filter.limit < 1 || filter.limit > 100000) return Usage("--limit must be within 1..100000");
    if (command == "redrive" && !all && !filter.key) return Usage("redrive needs --key K or --all");

    core::EnvReader env;
    const auto pg = db::PgConfig::FromEnv(env, service);
    try {
        env.Finish();
    } catch (const core::ConfigError& e) {
        core::ExitOnConfigError(e);
    }
    try {
        pqxx::connection conn(pg.conninfo);
        if (command == "list") {
            const auto rows = messaging::ListDeadLetters(conn, filter);
            std::printf("%-8s %-10s %-24s %-28s %-36s %s\n", "id", "status", "consumer", "topic/partition@offset",
                        "key", "error");
            for (const auto& d : rows) {
                const std::string where = d.topic + "/" + std::to_string(d.partition) + "@" + std::to_string(d.offset);
                std::printf("%-8lld %-10s %-24s %-28s %-36s %s\n", static_cast<long long>(d.id), d.status.c_str(),
                            d.consumer.c_str(), where.c_str(), d.key.c_str(), d.error.c_str());
            }
            std::printf("%zu dead letter(s)\n", rows.size());
        } else if (command == "count") {
            std::printf("%lld\n", static_cast<long long>(messaging::CountOpenDeadLetters(conn, filter.consumer)));
        } else {
            const auto n = messaging::RequestRedrive(conn, filter);
            std::printf("marked %lld event(s) for redrive; the consumer replays them in order\n",
                        static_cast<long long>(n));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "marketplace-dlq: %s\n", e.what());
        return 1;
    }
    return 0;
}
