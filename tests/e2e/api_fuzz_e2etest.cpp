// API fuzzing: Schemathesis (tools/api-fuzz, pinned, installed by `make deps`) reads the gateway's
// /openapi.json and sends generated requests, valid and invalid, to every operation through the real
// gateway and services, with a fixed seed and a bounded number of cases per operation. It fails on any
// 5xx, on a response whose status, content type or body contradicts the document, on a required
// header whose absence is accepted, and the run fails if a process of the stack exits meanwhile.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "marketplace/testing/process.hpp"
#include "story.hpp"

using namespace marketplace;
using namespace e2e;

namespace {

std::string Schemathesis() {
    const char* cache = std::getenv("MARKETPLACE_CACHE_DIR");
    const char* home = std::getenv("HOME");
    const std::string dir = cache != nullptr && *cache != '\0'
                                ? std::string(cache)
                                : std::string(home != nullptr ? home : "") + "/.cache/marketplace";
    return dir + "/api-fuzz-venv/bin/schemathesis";
}

std::string Tail(const std::string& text, std::size_t chars) {
    return text.size() <= chars ? text : "...\n" + text.substr(text.size() - chars);
}

}  // namespace

TEST_CASE("API fuzzing: every operation of /openapi.json through the gateway: no 5xx, nothing against the schema",
          "[e2e][fuzz]") {
    const std::string schemathesis = Schemathesis();
    INFO("Schemathesis at " << schemathesis << " (installed by 'make deps')");
    REQUIRE(std::filesystem::exists(schemathesis));

    auto& stack = MoneyStack::Get();
    const std::string base = stack.gateway_base_url();
    // A signed-in client: the fuzzer gets past authentication and reaches the services' validation.
    const User user = stack.Register(auth::v1::ROLE_CLIENT, "fuzz");
    const std::string report = std::filesystem::temp_directory_path() / "marketplace-api-fuzz";

    std::string output;
    const int status = testing::RunToCompletion(
        {schemathesis, "run", base + "/openapi.json", "--url", base, "--header", "Authorization: Bearer " + user.token,
         // A 5xx, a status, content type or body the document does not allow, or a required header
         // whose absence goes unnoticed.
         "--checks",
         "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
         "missing_required_header",
         "--mode", "all", "--phases", "examples,coverage,fuzzing", "--seed", "20261206", "--max-examples", "25",
         "--workers", "2", "--request-timeout", "20", "--no-shrink", "--report-dir", report, "--warnings", "off"},
        {{"NO_COLOR", "1"}, {"SCHEMATHESIS_TELEMETRY", "false"}}, std::chrono::minutes(5), &output);
    std::cout << "Schemathesis (exit status " << status << "):\n" << Tail(output, 6000) << "\n";
    INFO(Tail(output, 20000));
    CHECK(status == 0);

    const auto exited = stack.Exited();
    std::string names;
    for (const auto& n : exited) names += n + " ";
    INFO("exited: " << names << "\n" << stack.Logs());
    CHECK(exited.empty());
}
