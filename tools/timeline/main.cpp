// marketplace-timeline: a milestone's whole story across services, in time order, from the services'
// own records: each state change, each event published and consumed (with lag), each ledger leg.
//
//   marketplace-timeline MILESTONE_ID [--json] [--dsn SERVICE=CONNINFO ...]
//
// Without --dsn, the databases are the local stack's: PG_HOST and PG_PORT (defaults: the local stack),
// one database and role per service named after it, PG_PASSWORD (the local stack's well-known
// passwords, named after the service, only with MARKETPLACE_DEV_MODE=1). --dsn replaces one service's connection
// (for example --dsn payments="host=pg-payments dbname=payments user=support password=..."); a
// service given as SERVICE= (empty) is skipped. contracts is required; the others are read when they
// answer, and a note says which could not be.
#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "marketplace/core/config.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/db/pool.hpp"
#include "timeline.hpp"

namespace {

constexpr const char* kServices[] = {"contracts", "payments", "jobs", "notifications", "disputes"};

int Usage(const std::string& why) {
    std::fprintf(stderr,
                 "marketplace-timeline: %s\n"
                 "usage: marketplace-timeline MILESTONE_ID [--json] [--dsn SERVICE=CONNINFO ...]\n",
                 why.c_str());
    return 64;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace marketplace;
    std::string milestone_id;
    bool json = false;
    std::map<std::string, std::string> overrides;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--json") {
            json = true;
        } else if (a == "--dsn") {
            if (i + 1 >= argc) return Usage("--dsn needs SERVICE=CONNINFO");
            const std::string v = argv[++i];
            const auto eq = v.find('=');
            if (eq == std::string::npos || eq == 0) return Usage("--dsn needs SERVICE=CONNINFO, got '" + v + "'");
            overrides[v.substr(0, eq)] = v.substr(eq + 1);
        } else if (a == "-h" || a == "--help") {
            Usage("help");
            return 0;
        } else if (milestone_id.empty() && !a.empty() && a[0] != '-') {
            milestone_id = a;
        } else {
            return Usage("unexpected argument '" + a + "'");
        }
    }
    if (milestone_id.empty()) return Usage("MILESTONE_ID is required");

    std::map<std::string, std::string> sources;
    try {
        for (const char* service : kServices) {
            if (overrides.count(service) > 0) continue;  // --dsn: its PG_* defaults are not needed
            core::EnvReader env;
            sources[service] = db::PgConfig::FromEnv(env, service).conninfo;
            env.Finish();
        }
    } catch (const core::ConfigError& e) {
        std::fprintf(stderr, "marketplace-timeline: %s\n", e.what());
        return 2;
    }
    for (const auto& [service, conninfo] : overrides) {
        if (conninfo.empty()) {
            sources.erase(service);
        } else {
            sources[service] = conninfo;
        }
    }
    try {
        const auto t = timeline::Build(sources, milestone_id);
        std::cout << (json ? timeline::FormatJson(t) + "\n" : timeline::FormatText(t));
        return 0;
    } catch (const core::InvalidArgument& e) {
        return Usage(e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "marketplace-timeline: %s\n", e.what());
        return 1;
    }
}
