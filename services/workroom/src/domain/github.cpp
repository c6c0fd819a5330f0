#include "domain/github.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include <nlohmann/json.hpp>

#include "marketplace/blob/digest.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::workroom {
namespace {

using nlohmann::json;

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

const json& Field(const json& object, const char* key, const std::string& where) {
    if (!object.is_object() || !object.contains(key)) {
        throw core::InvalidArgument("body", "the payload has no " + where + key);
    }
    return object.at(key);
}

std::string Text(const json& object, const char* key, const std::string& where, std::size_t max = 1024) {
    const auto& value = Field(object, key, where);
    if (!value.is_string()) throw core::InvalidArgument("body", where + key + " must be a string");
    auto text = value.get<std::string>();
    if (text.size() > max) throw core::InvalidArgument("body", where + key + " is too long");
    return text;
}

std::string OptionalText(const json& object, const char* key, std::size_t max = 1024) {
    if (!object.is_object() || !object.contains(key) || !object.at(key).is_string()) return {};
    auto text = object.at(key).get<std::string>();
    if (text.size() > max) text.resize(max);
    return text;
}

core::Clock::TimePoint Time(const json& object, const char* key, const std::string& where) {
    const auto text = Text(object, key, where, 64);
    const auto t = ParseGitHubTime(text);
    if (!t) throw core::InvalidArgument("body", where + key + " is not an RFC 3339 time");
    return *t;
}

void RequireSha(const std::string& sha, const std::string& where) {
    if (sha.size() != 40 ||
        !std::all_of(sha.begin(), sha.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
        throw core::InvalidArgument("body", where + " must be a 40-digit lowercase hex commit id");
    }
}

// A check run's or suite's state: pending until completed, then its conclusion.
std::string RunState(const json& object, const std::string& where) {
    const auto status = Text(object, "status", where, 32);
    if (status != "completed") return "pending";
    const auto& conclusion = Field(object, "conclusion", where);
    if (!conclusion.is_string()) return "pending";
    return conclusion.get<std::string>().substr(0, 32);
}

PullRequestFacts ReadPullRequest(const json& pr) {
    PullRequestFacts f;
    const auto& number = Field(pr, "number", "pull_request.");
    if (!number.is_number_integer() || number.get<std::int64_t>() <= 0) {
        throw core::InvalidArgument("body", "pull_request.number must be a positive integer");
    }
    f.number = number.get<std::int64_t>();
    f.title = Text(pr, "title", "pull_request.", 1024);
    const auto state = Text(pr, "state", "pull_request.", 16);
    const bool merged = pr.contains("merged") && pr.at("merged").is_boolean() && pr.at("merged").get<bool>();
    f.state = merged ? "merged" : state;
    if (f.state != "open" && f.state != "closed" && f.state != "merged") {
        throw core::InvalidArgument("body", "pull_request.state must be open or closed");
    }
    f.author_login = Text(Field(pr, "user", "pull_request."), "login", "pull_request.user.", 64);
    const auto& head = Field(pr, "head", "pull_request.");
    f.head_sha = Text(head, "sha", "pull_request.head.", 64);
    RequireSha(f.head_sha, "pull_request.head.sha");
    f.head_ref = Text(head, "ref", "pull_request.head.", 255);
    f.url = OptionalText(pr, "html_url", 512);
    return f;
}

}  // namespace

void RequireRepositoryName(std::string_view name) {
    const auto slash = name.find('/');
    const auto fail = [] {
        throw core::InvalidArgument("repository",
                                    "must be owner/repo: an owner of 1..39 letters, digits and '-', a repository "
                                    "name of 1..100 letters, digits, '.', '_' and '-'");
    };
    if (slash == std::string_view::npos) fail();
    const auto owner = name.substr(0, slash);
    const auto repo = name.substr(slash + 1);
    if (owner.empty() || owner.size() > 39 || owner.front() == '-') fail();
    if (!std::all_of(owner.begin(), owner.end(), [](char c) { return IsAlnum(c) || c == '-'; })) fail();
    if (repo.empty() || repo.size() > 100 || repo == "." || repo == "..") fail();
    if (!std::all_of(repo.begin(), repo.end(), [](char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '-'; })) {
        fail();
    }
}

std::string GitHubSignature(std::string_view secret, std::string_view body) {
    return "sha256=" + blob::ToHex(blob::HmacSha256(secret, body));
}

bool GitHubSignatureMatches(std::string_view secret, std::string_view body, std::string_view header) {
    constexpr std::string_view kPrefix = "sha256=";
    if (header.size() != kPrefix.size() + 64 || header.substr(0, kPrefix.size()) != kPrefix) return false;
    std::string given(header.substr(kPrefix.size()));
    std::transform(given.begin(), given.end(), given.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    const auto expected = blob::ToHex(blob::HmacSha256(secret, body));
    return blob::ConstantTimeEquals(expected, given);
}

std::optional<core::Clock::TimePoint> ParseGitHubTime(std::string_view s) {
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
    const auto digits = [&](std::size_t at, std::size_t n, int& out) {
        if (at + n > s.size()) return false;
        out = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    };
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    if (!digits(0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d) ||
        (s[10] != 'T' && s[10] != 't') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' ||
        !digits(17, 2, se)) {
        return std::nullopt;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
    std::size_t at = 19;
    if (at < s.size() && s[at] == '.') {
        ++at;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
    }
    int offset_minutes = 0;
    if (at < s.size() && (s[at] == 'Z' || s[at] == 'z') && at + 1 == s.size()) {
        offset_minutes = 0;
    } else if (at < s.size() && (s[at] == '+' || s[at] == '-') && at + 6 == s.size() && s[at + 3] == ':') {
        int oh = 0, om = 0;
        if (!digits(at + 1, 2, oh) || !digits(at + 4, 2, om) || oh > 23 || om > 59) return std::nullopt;
        offset_minutes = (s[at] == '+' ? 1 : -1) * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                           std::chrono::day{static_cast<unsigned>(d)}};
    if (!date.ok()) return std::nullopt;
    const auto t = std::chrono::sys_days{date} + std::chrono::hours{h} + std::chrono::minutes{mi} +
                   std::chrono::seconds{se} - std::chrono::minutes{offset_minutes};
    return std::chrono::time_point_cast<core::Clock::TimePoint::duration>(t);
}

DeliveryFacts ReadDelivery(std::string_view event, std::string_view body) {
    DeliveryFacts facts;
    if (event != "pull_request" && event != "check_run" && event != "check_suite" && event != "status") return facts;
    if (body.size() > kMaxDeliveryBytes) throw core::InvalidArgument("body", "at most 1 MiB");
    const json payload = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (payload.is_discarded() || !payload.is_object()) throw core::InvalidArgument("body", "must be a JSON object");
    facts.kept = true;
    facts.repository = Text(Field(payload, "repository", ""), "full_name", "repository.", 140);
    if (event == "pull_request") {
        const auto& pr = Field(payload, "pull_request", "");
        facts.pull_request = ReadPullRequest(pr);
        facts.event_time = Time(pr, "updated_at", "pull_request.");
    } else if (event == "check_run") {
        const auto& run = Field(payload, "check_run", "");
        CheckFacts c;
        c.source = "check_run";
        c.name = Text(run, "name", "check_run.", 255);
        c.state = RunState(run, "check_run.");
        c.head_sha = Text(run, "head_sha", "check_run.", 64);
        RequireSha(c.head_sha, "check_run.head_sha");
        c.details_url = OptionalText(run, "html_url", 512);
        const bool completed = run.contains("completed_at") && run.at("completed_at").is_string();
        facts.event_time = Time(run, completed ? "completed_at" : "started_at", "check_run.");
        facts.check = c;
    } else if (event == "check_suite") {
        const auto& suite = Field(payload, "check_suite", "");
        CheckFacts c;
        c.source = "check_suite";
        c.name = suite.contains("app") ? OptionalText(suite.at("app"), "name", 255) : std::string();
        if (c.name.empty()) c.name = "check suite";
        c.state = RunState(suite, "check_suite.");
        c.head_sha = Text(suite, "head_sha", "check_suite.", 64);
        RequireSha(c.head_sha, "check_suite.head_sha");
        c.details_url = OptionalText(suite, "url", 512);
        facts.event_time = Time(suite, "updated_at", "check_suite.");
        facts.check = c;
    } else {  // status
        CheckFacts c;
        c.source = "status";
        c.name = Text(payload, "context", "", 255);
        c.state = Text(payload, "state", "", 16);
        if (c.state != "pending" && c.state != "success" && c.state != "failure" && c.state != "error") {
            throw core::InvalidArgument("body", "state must be pending, success, failure or error");
        }
        c.head_sha = Text(payload, "sha", "", 64);
        RequireSha(c.head_sha, "sha");
        c.details_url = OptionalText(payload, "target_url", 512);
        facts.event_time = Time(payload, "updated_at", "");
        facts.check = c;
    }
    return facts;
}

std::string CombinedCheckState(const std::vector<std::string>& states) {
    if (states.empty()) return "none";
    bool pending = false;
    for (const auto& s : states) {
        if (s == "failure" || s == "error" || s == "timed_out" || s == "cancelled" || s == "action_required") {
            return "failure";
        }
        if (s == "pending") pending = true;
    }
    return pending ? "pending" : "success";
}

}  // namespace marketplace::workroom
