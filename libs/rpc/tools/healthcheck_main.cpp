// marketplace-healthcheck: is a marketplace process healthy? For container health checks and scripts.
//
//   marketplace-healthcheck [--timeout 2s] [--service NAME] TARGET     grpc.health.v1.Health/Check
//   marketplace-healthcheck [--timeout 2s] --http PATH HOST:PORT       HTTP GET PATH, healthy on 2xx
//
// TARGET is any gRPC target (127.0.0.1:7104, dns:///payments:7104); --service asks about one
// service ("marketplace.payments.v1.PaymentsService"), the default "" about the whole server.
// Prints one line saying what it saw. Exit status: 0 healthy, 1 not healthy (not serving, refused,
// timed out, a non-2xx status), 2 a usage error.
#include <cstdio>
#include <string>

#include "health_probe.hpp"

namespace {

int Usage(const std::string& why) {
    std::fprintf(stderr,
                 "marketplace-healthcheck: %s\n"
                 "usage: marketplace-healthcheck [--timeout DURATION] [--service NAME] TARGET\n"
                 "       marketplace-healthcheck [--timeout DURATION] --http PATH HOST:PORT\n"
                 "DURATION is a whole number with ms, s or m (default 2s).\n",
                 why.c_str());
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace marketplace::rpc::tools;
    std::chrono::milliseconds timeout{2000};
    std::string service, http_path, target;
    bool http = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--timeout") {
            if (!has_value) return Usage("--timeout needs a value");
            const auto parsed = ParseTimeout(argv[++i]);
            if (!parsed) return Usage(std::string("--timeout: must be like 500ms, 2s or 1m, got '") + argv[i] + "'");
            timeout = *parsed;
        } else if (a == "--service") {
            if (!has_value) return Usage("--service needs a value");
            service = argv[++i];
        } else if (a == "--http") {
            if (!has_value) return Usage("--http needs a path");
            http = true;
            http_path = argv[++i];
            if (http_path.empty() || http_path.front() != '/') {
                return Usage("--http: must be a path starting with '/', got '" + http_path + "'");
            }
        } else if (a == "-h" || a == "--help") {
            Usage("help");
            return 0;
        } else if (!a.empty() && a.front() != '-' && target.empty()) {
            target = a;
        } else {
            return Usage("unexpected argument '" + a + "'");
        }
    }
    if (target.empty()) return Usage("TARGET is required");
    if (http && !service.empty()) return Usage("--service applies to gRPC checks only, not with --http");

    const ProbeResult result = http ? ProbeHttp(target, http_path, timeout) : ProbeGrpc(target, service, timeout);
    std::printf("%s %s\n", target.c_str(), result.detail.c_str());
    return result.healthy ? 0 : 1;
}
