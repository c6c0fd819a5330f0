// GitHub webhooks, the pure part: the signature against GitHub's published example, constant-time
// comparison of the hex, repository names, RFC 3339 times as GitHub writes them, and what deliveries
// of each kept event say.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "domain/github.hpp"
#include "marketplace/core/errors.hpp"

using namespace marketplace::workroom;
using nlohmann::json;

namespace {

std::string FieldOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const marketplace::core::InvalidArgument& e) {
        return e.field();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("GitHub signature: GitHub's documented example, and anything else refused", "[workroom][code]") {
    // From GitHub's "Validating webhook deliveries".
    const std::string secret = "It's a Secret to Everybody";
    const std::string body = "Hello, World!";
    const std::string expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    CHECK(GitHubSignature(secret, body) == expected);
    CHECK(GitHubSignatureMatches(secret, body, expected));
    std::string upper = expected;
    for (std::size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
    CHECK(GitHubSignatureMatches(secret, body, upper));
    CHECK_FALSE(GitHubSignatureMatches(secret, body + " ", expected));
    CHECK_FALSE(GitHubSignatureMatches("another secret", body, expected));
    CHECK_FALSE(GitHubSignatureMatches(secret, body, ""));
    CHECK_FALSE(GitHubSignatureMatches(secret, body, expected.substr(7)));            // no "sha256="
    CHECK_FALSE(GitHubSignatureMatches(secret, body, "sha1=" + expected.substr(7)));  // the old header's form
    CHECK_FALSE(GitHubSignatureMatches(secret, body, expected.substr(0, expected.size() - 1)));
    std::string flipped = expected;
    flipped.back() = flipped.back() == '7' ? '8' : '7';
    CHECK_FALSE(GitHubSignatureMatches(secret, body, flipped));
}

TEST_CASE("GitHub repository names", "[workroom][code]") {
    CHECK_NOTHROW(RequireRepositoryName("octo-dev/shop-checkout"));
    CHECK_NOTHROW(RequireRepositoryName("a/b"));
    CHECK_NOTHROW(RequireRepositoryName("Org1/repo.name_2-x"));
    for (const std::string& bad : std::vector<std::string>{"", "noslash", "/repo", "owner/", "-owner/repo",
                                                           "ow ner/repo", "owner/re po", "owner/.", "owner/..", "a/b/c",
                                                           std::string(40, 'a') + "/r", "o/" + std::string(101, 'r')}) {
        INFO(bad);
        CHECK(FieldOf([&] { RequireRepositoryName(bad); }) == "repository");
    }
}

TEST_CASE("GitHub times: Z and offsets, fractions, nonsense refused", "[workroom][code]") {
    using namespace std::chrono;
    const auto t = ParseGitHubTime("2026-12-06T21:04:05Z");
    REQUIRE(t);
    CHECK(duration_cast<seconds>(t->time_since_epoch()).count() == 1796591045);
    CHECK(ParseGitHubTime("2026-12-06T22:04:05+01:00") == t);
    CHECK(ParseGitHubTime("2026-12-06T16:04:05-05:00") == t);
    CHECK(ParseGitHubTime("2026-12-06T21:04:05.123Z") == t);
    for (const char* bad : {"", "2026-12-06", "2026-12-06 21:04:05Z", "2026-02-30T00:00:00Z", "2026-12-06T21:04:05",
                            "2026-12-06T25:00:00Z", "2026-12-06T21:04:05+0100", "1796591045"}) {
        INFO(bad);
        CHECK_FALSE(ParseGitHubTime(bad));
    }
}

TEST_CASE("GitHub deliveries: what each kept event says", "[workroom][code]") {
    const std::string sha(40, 'a');
    const json repo = {{"full_name", "octo/shop"}};
    const json pr = {{"action", "closed"},
                     {"pull_request",
                      {{"number", 7},
                       {"title", "Checkout"},
                       {"state", "closed"},
                       {"merged", true},
                       {"html_url", "https://github.com/octo/shop/pull/7"},
                       {"updated_at", "2026-12-06T21:04:05Z"},
                       {"user", {{"login", "octo"}}},
                       {"head", {{"sha", sha}, {"ref", "feature/x"}}}}},
                     {"repository", repo}};
    const auto facts = ReadDelivery("pull_request", pr.dump());
    CHECK(facts.kept);
    CHECK(facts.repository == "octo/shop");
    REQUIRE(facts.pull_request);
    CHECK(facts.pull_request->state == "merged");
    CHECK(facts.pull_request->number == 7);
    CHECK(facts.event_time == *ParseGitHubTime("2026-12-06T21:04:05Z"));

    const json run = {{"check_run",
                       {{"name", "build"},
                        {"head_sha", sha},
                        {"status", "in_progress"},
                        {"conclusion", nullptr},
                        {"started_at", "2026-12-06T21:00:00Z"},
                        {"completed_at", nullptr}}},
                      {"repository", repo}};
    auto check = ReadDelivery("check_run", run.dump());
    REQUIRE(check.check);
    CHECK(check.check->state == "pending");
    CHECK(check.event_time == *ParseGitHubTime("2026-12-06T21:00:00Z"));
    json done = run;
    done["check_run"]["status"] = "completed";
    done["check_run"]["conclusion"] = "timed_out";
    done["check_run"]["completed_at"] = "2026-12-06T21:09:00Z";
    check = ReadDelivery("check_run", done.dump());
    CHECK(check.check->state == "timed_out");
    CHECK(check.event_time == *ParseGitHubTime("2026-12-06T21:09:00Z"));

    const json status = {{"sha", sha},
                         {"context", "ci/lint"},
                         {"state", "error"},
                         {"updated_at", "2026-12-06T21:04:05Z"},
                         {"repository", repo}};
    CHECK(ReadDelivery("status", status.dump()).check->state == "error");

    CHECK_FALSE(ReadDelivery("ping", "{}").kept);
    CHECK_FALSE(ReadDelivery("push", "not even json").kept);
    CHECK(FieldOf([] { ReadDelivery("status", "{not json"); }) == "body");
    json short_sha = status;
    short_sha["sha"] = "abc";
    CHECK(FieldOf([&] { ReadDelivery("status", short_sha.dump()); }) == "body");
    json no_repo = status;
    no_repo.erase("repository");
    CHECK(FieldOf([&] { ReadDelivery("status", no_repo.dump()); }) == "body");
    json bad_state = status;
    bad_state["state"] = "green";
    CHECK(FieldOf([&] { ReadDelivery("status", bad_state.dump()); }) == "body");
}

TEST_CASE("GitHub checks together", "[workroom][code]") {
    CHECK(CombinedCheckState({}) == "none");
    CHECK(CombinedCheckState({"success", "neutral", "skipped"}) == "success");
    CHECK(CombinedCheckState({"success", "pending"}) == "pending");
    CHECK(CombinedCheckState({"pending", "failure"}) == "failure");
    CHECK(CombinedCheckState({"success", "cancelled"}) == "failure");
    CHECK(CombinedCheckState({"error"}) == "failure");
}
