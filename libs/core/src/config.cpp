#include "marketplace/core/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace marketplace::core {
namespace {

std::string Join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += "; ";
        out += p;
    }
    return out;
}

bool ParseInt64(const std::string& text, std::int64_t& out) {
    if (text.empty() || text.size() > 20) return false;
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || end != text.c_str() + text.size()) return false;
    out = v;
    return true;
}

std::string Shown(const std::string& value) {
    return value.size() > 40 ? "'" + value.substr(0, 40) + "...'" : "'" + value + "'";
}

}  // namespace

ConfigError::ConfigError(std::vector<std::string> problems)
    : std::runtime_error(Join(problems)), problems_(std::move(problems)) {}

EnvReader::EnvReader(std::string prefix, Lookup lookup) : prefix_(std::move(prefix)), lookup_(std::move(lookup)) {
    if (!lookup_) {
        lookup_ = [](const std::string& name) -> std::optional<std::string> {
            const char* v = std::getenv(name.c_str());
            if (v == nullptr) return std::nullopt;
            return std::string(v);
        };
    }
}

std::optional<std::string> EnvReader::Get(const std::string& name) const { return lookup_(FullName(name)); }

void EnvReader::Problem(const std::string& name, const std::string& what) {
    problems_.push_back(FullName(name) + ": " + what);
}

std::string EnvReader::String(const std::string& name, const std::string& fallback) {
    auto v = Get(name);
    return v ? *v : fallback;
}

std::string EnvReader::RequiredString(const std::string& name) {
    auto v = Get(name);
    if (!v || v->empty()) {
        Problem(name, "is required but not set");
        return {};
    }
    return *v;
}

std::string EnvReader::Secret(const std::string& name, const std::string& fallback) {
    if (auto v = Get(name)) return *v;
    if (auto path = Get(name + "_FILE")) {
        std::ifstream in(*path);
        if (!in) {
            Problem(name + "_FILE", "cannot read file '" + *path + "'");
            return {};
        }
        std::stringstream ss;
        ss << in.rdbuf();
        std::string s = ss.str();
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
        return s;
    }
    return fallback;
}

bool EnvReader::DevMode() {
    const auto v = lookup_(kDevModeVariable);
    if (!v) return false;
    std::string s = *v;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
    if (s == "" || s == "0" || s == "false" || s == "no" || s == "off") return false;
    const std::string problem = std::string(kDevModeVariable) + ": must be true or false, got " + Shown(*v);
    if (std::find(problems_.begin(), problems_.end(), problem) == problems_.end()) problems_.push_back(problem);
    return false;
}

std::string EnvReader::SecretOrDevDefault(const std::string& name, const std::string& dev_fallback) {
    if (Get(name) || Get(name + "_FILE")) {
        const auto problems_before = problems_.size();
        std::string value = Secret(name, "");
        if (value.empty() && problems_.size() == problems_before) Problem(name, "must not be empty");
        return value;
    }
    if (DevMode()) return dev_fallback;
    Problem(name, "is required (or " + FullName(name) + "_FILE); the well-known development value is used only with " +
                      kDevModeVariable + "=1");
    return {};
}

std::int64_t EnvReader::Int(const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max) {
    auto v = Get(name);
    if (!v) return fallback;
    std::int64_t out = 0;
    if (!ParseInt64(*v, out)) {
        Problem(name, "must be a whole number, got " + Shown(*v));
        return fallback;
    }
    if (out < min || out > max) {
        Problem(name, "must be within " + std::to_string(min) + ".." + std::to_string(max) + ", got " + *v);
        return fallback;
    }
    return out;
}

bool EnvReader::Bool(const std::string& name, bool fallback) {
    auto v = Get(name);
    if (!v) return fallback;
    std::string s = *v;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
    if (s == "0" || s == "false" || s == "no" || s == "off") return false;
    Problem(name, "must be true or false, got " + Shown(*v));
    return fallback;
}

std::chrono::milliseconds EnvReader::Duration(const std::string& name, std::chrono::milliseconds fallback,
                                              std::chrono::milliseconds min, std::chrono::milliseconds max) {
    auto v = Get(name);
    if (!v) return fallback;
    const std::string& s = *v;
    std::size_t digits = 0;
    while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
    std::int64_t n = 0;
    const std::string unit = s.substr(digits);
    std::int64_t factor = 0;
    if (unit.empty() || unit == "ms")
        factor = 1;
    else if (unit == "s")
        factor = 1000;
    else if (unit == "m")
        factor = 60'000;
    else if (unit == "h")
        factor = 3'600'000;
    else if (unit == "d")
        factor = 86'400'000;
    if (digits == 0 || factor == 0 || !ParseInt64(s.substr(0, digits), n) || n > (INT64_MAX / factor)) {
        Problem(name, "must be a duration like 250ms, 5s, 2m, 1h or 14d, got " + Shown(s));
        return fallback;
    }
    const std::chrono::milliseconds d(n * factor);
    if (d < min || d > max) {
        Problem(name, "must be within " + std::to_string(min.count()) + "ms.." + std::to_string(max.count()) +
                          "ms, got " + s);
        return fallback;
    }
    return d;
}

std::string EnvReader::OneOf(const std::string& name, const std::string& fallback,
                             const std::vector<std::string>& allowed) {
    auto v = Get(name);
    if (!v) return fallback;
    if (std::find(allowed.begin(), allowed.end(), *v) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        Problem(name, "must be one of " + list + ", got " + Shown(*v));
        return fallback;
    }
    return *v;
}

void EnvReader::Finish() const {
    if (!problems_.empty()) throw ConfigError(problems_);
}

void ExitOnConfigError(const ConfigError& e) {
    for (const auto& p : e.problems()) std::fprintf(stderr, "configuration error: %s\n", p.c_str());
    std::fflush(stderr);
    std::exit(2);
}

}  // namespace marketplace::core
