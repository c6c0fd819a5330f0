// make bench-gateway, second section: what reading one request body costs the gateway, in one process
// and one run, for three bodies the API receives:
//   protobuf    util::JsonStringToMessage (the baseline: what the gateway used for every body)
//   gateway     what the gateway does now: ParseJsonFast, and protobuf's parser when it hands a body back
// The job body is the one `make bench-gateway` posts; the room message is a workroom post; the
// proposal carries milestone due dates (Timestamps), which the fast reader hands to protobuf, so its
// line shows what a body handed back costs. Each body's two results must be equal before timing.
// Prints µs per body for each (the faster of two alternating rounds, after a warm-up) and their
// ratio.   --seconds S (1 per variant and body)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "marketplace/jobs/v1/jobs.pb.h"
#include "marketplace/workroom/v1/workroom.pb.h"
#include "transcode/json_parser.hpp"

namespace pb = google::protobuf;

namespace {

bool Protobuf(const std::string& json, pb::Message& message) {
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    return pb::util::JsonStringToMessage(json, &message, options).ok();
}

bool Gateway(const std::string& json, pb::Message& message) {
    if (marketplace::gateway::ParseJsonFast(json, message)) return true;
    message.Clear();
    return Protobuf(json, message);
}

template <typename Parse>
double MicrosPerBody(const pb::Message& prototype, const std::string& json, double seconds, Parse parse) {
    std::unique_ptr<pb::Message> message(prototype.New());
    long long bodies = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto until = start + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
        for (int k = 0; k < 64; ++k) {
            message->Clear();
            if (!parse(json, *message)) {
                std::fprintf(stderr, "json_bench: a valid body was refused\n");
                std::exit(1);
            }
            ++bodies;
        }
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return elapsed * 1e6 / static_cast<double>(bodies);
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
    }
    if (seconds <= 0) {
        std::fprintf(stderr, "usage: json_bench [--seconds S>0]\n");
        return 2;
    }
    struct Body {
        const char* name;
        const pb::Message& prototype;
        std::string json;
    };
    const Body bodies[] = {
        {"job", marketplace::jobs::v1::PostJobRequest::default_instance(),
         R"({"title":"Landing page and signup flow","description":"Build a SaaS MVP with authentication, billing and an admin panel.",)"
         R"("stack":["c++","postgresql"],"budget_type":"BUDGET_TYPE_FIXED",)"
         R"("budget_min":{"minor_units":"50000","currency":"EUR"},"budget_max":{"minor_units":"500000","currency":"EUR"},)"
         R"("template_id":"saas-mvp"})"},
        {"room_message", marketplace::workroom::v1::PostMessageRequest::default_instance(),
         R"({"room_id":"0193a1f2-7c55-7d1e-b6a8-3f1f2c9e4a10","text":"Pushed the signup flow; @ana can you review the PR before standup?"})"},
        {"proposal", marketplace::jobs::v1::SubmitProposalRequest::default_instance(),
         R"({"job_id":"0193a1f2-7c55-7d1e-b6a8-3f1f2c9e4a10","cover_letter":"I built three SaaS MVPs this year.",)"
         R"("milestones":[{"title":"Signup","description":"Accounts and login","amount":{"minor_units":"150000","currency":"EUR"},)"
         R"("due_date":"2027-01-15T00:00:00Z","definition_of_done":["tests pass","deployed to staging"]},)"
         R"({"title":"Billing","description":"Plans and invoices","amount":{"minor_units":"250000","currency":"EUR"},)"
         R"("due_date":"2027-02-15T00:00:00Z","definition_of_done":["tests pass"]}],)"
         R"("total":{"minor_units":"400000","currency":"EUR"},"delivery_days":60})"},
    };
    std::printf(
        "== request bodies: protobuf's JSON parser against the gateway's reader, %.1f s per variant, one thread\n",
        seconds);
    for (const auto& body : bodies) {
        std::unique_ptr<pb::Message> a(body.prototype.New());
        std::unique_ptr<pb::Message> b(body.prototype.New());
        if (!Protobuf(body.json, *a) || !Gateway(body.json, *b) || !pb::util::MessageDifferencer::Equals(*a, *b)) {
            std::fprintf(stderr, "json_bench: the %s body reads differently\n", body.name);
            return 1;
        }
        std::unique_ptr<pb::Message> probe(body.prototype.New());
        const bool fast = marketplace::gateway::ParseJsonFast(body.json, *probe);
        // A warm-up of each, then two rounds alternating the two; the faster round of each counts.
        MicrosPerBody(body.prototype, body.json, seconds / 4, Protobuf);
        MicrosPerBody(body.prototype, body.json, seconds / 4, Gateway);
        double base = 1e9;
        double ours = 1e9;
        for (int round = 0; round < 2; ++round) {
            base = std::min(base, MicrosPerBody(body.prototype, body.json, seconds / 2, Protobuf));
            ours = std::min(ours, MicrosPerBody(body.prototype, body.json, seconds / 2, Gateway));
        }
        std::printf("json_%s_bytes %zu\n", body.name, body.json.size());
        std::printf("json_%s_read_by %s\n", body.name, fast ? "reflection" : "protobuf");
        std::printf("json_%s_protobuf_us %.2f\n", body.name, base);
        std::printf("json_%s_gateway_us %.2f\n", body.name, ours);
        std::printf("json_%s_ratio %.2f\n", body.name, base / ours);
    }
    return 0;
}
