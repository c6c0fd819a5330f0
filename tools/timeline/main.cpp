// marketplace-timeline: a milestone's whole story across services, in time order, from the services'
// own records: each state change, each event published and consumed (with lag), each ledger leg,
// each dispute step.
//
//   marketplace-timeline MILESTONE_ID [--json] [--dsn SERVICE=CONNINFO ...] [--grpc SERVICE=TARGET ...]
//
// What it reads, and how (docs/OPERATIONS.md, "Follow one saga"):
//   - the messaging tables every service shares (published_events, inbox) of contracts, payments,
//     jobs, notifications and disputes, straight from their databases. Without --dsn, the local
//     stack's: PG_HOST and PG_PORT (defaults: the local stack), one database and role per service
//     named after it, PG_PASSWORD (the local stack's well-known passwords, named after the service,
//     only with MARKETPLACE_DEV_MODE=1). --dsn replaces one service's connection (for example
//     --dsn payments="host=pg-payments dbname=payments user=support password=..."); SERVICE= (empty)
//     skips it.
//   - what lives in a service's own tables, asked of the service over gRPC with an admin's token:
//     the milestone's transitions (contracts' ListMilestoneTransitions), its ledger legs (payments'
//     ListMilestoneLedgerLegs) and its disputes' steps (disputes' ListDisputes, ListDisputeSteps).
//     The targets: CONTRACTS_GRPC_TARGET, PAYMENTS_GRPC_TARGET, DISPUTES_GRPC_TARGET (defaults: the
//     local stack's 127.0.0.1:7103, 7104 and 7107, plus MARKETPLACE_PORT_OFFSET); --grpc replaces one
//     (--grpc payments=payments.marketplace:7104); SERVICE= (empty) skips payments or disputes.
//     These reads are not routed by the gateway: the tool needs the services' gRPC ports.
//
// The token: TIMELINE_TOKEN, or the file named by TIMELINE_TOKEN_FILE, holding an admin's access
// token (POST /v1/auth/login through the gateway; it lives AUTH_ACCESS_TOKEN_TTL, 15 minutes by
// default). Without one the tool logs in to auth (AUTH_GRPC_TARGET, default the local stack's
// 127.0.0.1:7101) as MARKETPLACE_ADMIN_EMAIL with MARKETPLACE_ADMIN_PASSWORD (or
// MARKETPLACE_ADMIN_PASSWORD_FILE); with MARKETPLACE_DEV_MODE=1 they default to the admin the local
// stack seeds (deploy/local/services.sh). contracts is required; the others are read when they
// answer, and a note says which could not be.
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "marketplace/core/config.hpp"
#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"
#include "marketplace/db/pool.hpp"
#include "timeline.hpp"

namespace {

constexpr const char* kDatabases[] = {"contracts", "payments", "jobs", "notifications", "disputes"};

struct GrpcService {
    const char* name;
    const char* variable;
    int local_port;  // deploy/local/services.sh
};
constexpr GrpcService kGrpcServices[] = {{"contracts", "CONTRACTS_GRPC_TARGET", 7103},
                                         {"payments", "PAYMENTS_GRPC_TARGET", 7104},
                                         {"disputes", "DISPUTES_GRPC_TARGET", 7107}};
constexpr int kLocalAuthPort = 7101;
// What deploy/local/services.sh seeds when MARKETPLACE_ADMIN_EMAIL / _PASSWORD are not set.
constexpr const char* kLocalAdminEmail = "admin@marketplace.local";
constexpr const char* kLocalAdminPassword = "local-admin-password";

int Usage(const std::string& why) {
    std::fprintf(stderr,
                 "marketplace-timeline: %s\n"
                 "usage: marketplace-timeline MILESTONE_ID [--json] [--dsn SERVICE=CONNINFO ...] "
                 "[--grpc SERVICE=TARGET ...]\n"
                 "  reads published_events and inbox from the databases (PG_* or --dsn), and asks contracts,\n"
                 "  payments and disputes (CONTRACTS_/PAYMENTS_/DISPUTES_GRPC_TARGET or --grpc) for the\n"
                 "  milestone's transitions, ledger legs and dispute steps with an admin's access token:\n"
                 "  TIMELINE_TOKEN or TIMELINE_TOKEN_FILE; without one it logs in to auth (AUTH_GRPC_TARGET)\n"
                 "  as MARKETPLACE_ADMIN_EMAIL / MARKETPLACE_ADMIN_PASSWORD[_FILE], which default to the\n"
                 "  local stack's admin with MARKETPLACE_DEV_MODE=1\n",
                 why.c_str());
    return 64;
}

bool ParseAssignment(const std::string& value, std::map<std::string, std::string>& into) {
    const auto eq = value.find('=');
    if (eq == std::string::npos || eq == 0) return false;
    into[value.substr(0, eq)] = value.substr(eq + 1);
    return true;
}

struct Login {
    std::string auth_target;
    std::string email;
    std::string password;
};

}  // namespace

int main(int argc, char** argv) {
    using namespace marketplace;
    std::string milestone_id;
    bool json = false;
    std::map<std::string, std::string> dsn_overrides;
    std::map<std::string, std::string> grpc_overrides;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--json") {
            json = true;
        } else if (a == "--dsn") {
            if (i + 1 >= argc) return Usage("--dsn needs SERVICE=CONNINFO");
            const std::string v = argv[++i];
            if (!ParseAssignment(v, dsn_overrides)) return Usage("--dsn needs SERVICE=CONNINFO, got '" + v + "'");
        } else if (a == "--grpc") {
            if (i + 1 >= argc) return Usage("--grpc needs SERVICE=TARGET");
            const std::string v = argv[++i];
            if (!ParseAssignment(v, grpc_overrides)) return Usage("--grpc needs SERVICE=TARGET, got '" + v + "'");
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
    for (const auto& [service, target] : grpc_overrides) {
        bool known = false;
        for (const auto& s : kGrpcServices) known = known || service == s.name;
        if (!known) return Usage("--grpc names contracts, payments or disputes, got '" + service + "'");
    }
    try {
        core::RequireUuid(milestone_id, "milestone_id");
    } catch (const core::InvalidArgument& e) {
        return Usage(e.what());
    }

    timeline::Sources sources;
    std::optional<Login> login;
    try {
        for (const char* service : kDatabases) {
            if (dsn_overrides.count(service) > 0) continue;  // --dsn: its PG_* defaults are not needed
            core::EnvReader env;
            sources.databases[service] = db::PgConfig::FromEnv(env, service).conninfo;
            env.Finish();
        }
        core::EnvReader env;
        const auto offset = static_cast<int>(env.Int("MARKETPLACE_PORT_OFFSET", 0, 0, 50000));
        for (const auto& s : kGrpcServices) {
            sources.services[s.name] = env.String(s.variable, "127.0.0.1:" + std::to_string(s.local_port + offset));
        }
        sources.token = env.Secret("TIMELINE_TOKEN", "");
        if (sources.token.empty()) {
            const bool dev = env.DevMode();
            Login l;
            l.email = env.String("MARKETPLACE_ADMIN_EMAIL", dev ? kLocalAdminEmail : "");
            if (l.email.empty()) {
                env.Reject("TIMELINE_TOKEN",
                           "is required: an admin's access token (or TIMELINE_TOKEN_FILE), or MARKETPLACE_ADMIN_EMAIL "
                           "and MARKETPLACE_ADMIN_PASSWORD to log in (the local stack's admin with "
                           "MARKETPLACE_DEV_MODE=1)");
            } else {
                l.password = env.SecretOrDevDefault("MARKETPLACE_ADMIN_PASSWORD", kLocalAdminPassword);
                l.auth_target = env.String("AUTH_GRPC_TARGET", "127.0.0.1:" + std::to_string(kLocalAuthPort + offset));
                login = l;
            }
        }
        env.Finish();
    } catch (const core::ConfigError& e) {
        std::fprintf(stderr, "marketplace-timeline: %s\n", e.what());
        return 2;
    }
    for (const auto& [service, conninfo] : dsn_overrides) {
        if (conninfo.empty()) {
            sources.databases.erase(service);
        } else {
            sources.databases[service] = conninfo;
        }
    }
    for (const auto& [service, target] : grpc_overrides) {
        if (target.empty()) {
            sources.services.erase(service);
        } else {
            sources.services[service] = target;
        }
    }
    try {
        if (login) sources.token = timeline::LogIn(login->auth_target, login->email, login->password);
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
