#include "config.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include "domain/credentials.hpp"
#include "domain/hashing_slots.hpp"
#include "marketplace/core/errors.hpp"

namespace marketplace::auth {
namespace {

std::chrono::seconds Seconds(std::chrono::milliseconds ms) {
    return std::chrono::duration_cast<std::chrono::seconds>(ms);
}

// The local stack's well-known seed key (MARKETPLACE_DEV_MODE=1 only): never a secret.
constexpr char kDevSeedKey[] = "6d61726b6574706c6163652d6465762d736565642d6b65792d6e6f742d736563";

// 64 hex digits -> 32 raw bytes; "" stays "" (unset). A malformed value is a problem naming `name`.
std::string SeedKey(core::EnvReader& env, const std::string& name, const std::string& hex) {
    if (hex.empty()) return {};
    const bool ok = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
                        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                    });
    if (!ok) {
        env.Reject(name, "must be 32 bytes as 64 hex digits (e.g. from `openssl rand -hex 32`)");
        return {};
    }
    std::string raw(32, '\0');
    for (std::size_t i = 0; i < 32; ++i) raw[i] = static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    return raw;
}

}  // namespace

int AuthOptions::PasswordSlots() const {
    if (password_max_concurrent > 0) return password_max_concurrent;
    const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    return SlotsForBudget(password_memory_budget, password_cost.memlimit, 2 * cores);
}

void AuthOptions::Validate() const {
    std::vector<std::string> problems;
    if (key_retention < access_ttl + std::chrono::minutes(1)) {
        problems.push_back(
            "AUTH_KEY_RETENTION: must be at least AUTH_ACCESS_TOKEN_TTL plus 1 minute, so tokens "
            "signed before a rotation keep verifying until they expire");
    }
    if (admin) {
        try {
            const std::string email = NormalizeEmail(admin->email, "AUTH_ADMIN_EMAIL");
            ValidatePassword(admin->password, email, "AUTH_ADMIN_PASSWORD");
            NormalizeDisplayName(admin->display_name, "AUTH_ADMIN_DISPLAY_NAME");
        } catch (const core::InvalidArgument& e) {
            problems.push_back(e.caller_message());
        }
    }
    try {
        PasswordHasher::RequireValidCost(password_cost);
    } catch (const std::invalid_argument& e) {
        problems.push_back(std::string("AUTH_PASSWORD_OPSLIMIT/AUTH_PASSWORD_MEMLIMIT_KIB: ") + e.what());
    }
    if (!gateway_secret.empty() && gateway_secret.size() < 16) {
        problems.push_back("AUTH_GATEWAY_SECRET: must be at least 16 characters (use 32 random bytes, hex)");
    }
    if (!problems.empty()) throw core::ConfigError(problems);
}

AuthConfig AuthConfig::FromEnv(core::EnvReader& env) {
    AuthConfig c;
    c.runtime = service::RuntimeConfig::FromEnv(env, "auth", kDefaultGrpcPort);
    c.auth = AuthOptions::FromEnv(env);
    return c;
}

AuthOptions AuthOptions::FromEnv(core::EnvReader& env) {
    using std::chrono::hours;
    using std::chrono::minutes;
    AuthOptions a;
    a.issuer = env.String("AUTH_ISSUER", a.issuer);
    a.access_ttl = Seconds(env.Duration("AUTH_ACCESS_TOKEN_TTL", a.access_ttl, minutes(1), hours(24)));
    a.refresh_ttl = Seconds(env.Duration("AUTH_REFRESH_TOKEN_TTL", a.refresh_ttl, hours(1), hours(24 * 365)));
    a.session_max_age = Seconds(env.Duration("AUTH_SESSION_MAX_AGE", a.session_max_age, hours(1), hours(24 * 365)));
    a.key_retention = Seconds(env.Duration("AUTH_KEY_RETENTION", a.key_retention, minutes(2), hours(24 * 365)));
    a.password_cost.opslimit = static_cast<unsigned long long>(
        env.Int("AUTH_PASSWORD_OPSLIMIT", static_cast<std::int64_t>(a.password_cost.opslimit), 1, 20));
    a.password_cost.memlimit = static_cast<std::size_t>(
        env.Int("AUTH_PASSWORD_MEMLIMIT_KIB", static_cast<std::int64_t>(a.password_cost.memlimit / 1024), 8,
                4 * 1024 * 1024) *
        1024);
    a.account_throttle.max_failures =
        static_cast<int>(env.Int("AUTH_LOGIN_MAX_FAILURES", a.account_throttle.max_failures, 1, 1000));
    a.source_throttle.max_failures =
        static_cast<int>(env.Int("AUTH_LOGIN_MAX_FAILURES_PER_SOURCE", a.source_throttle.max_failures, 1, 100000));
    const auto window = Seconds(
        env.Duration("AUTH_LOGIN_FAILURE_WINDOW", a.account_throttle.window, std::chrono::seconds(1), hours(24)));
    a.account_throttle.window = window;
    a.source_throttle.window = window;
    a.registration_throttle.max_failures = static_cast<int>(
        env.Int("AUTH_REGISTER_MAX_TAKEN_PER_SOURCE", a.registration_throttle.max_failures, 1, 100000));
    a.registration_throttle.window = window;
    a.password_max_concurrent =
        static_cast<int>(env.Int("AUTH_PASSWORD_MAX_CONCURRENT", a.password_max_concurrent, 0, 1024));
    a.password_memory_budget =
        static_cast<std::uint64_t>(env.Int("AUTH_PASSWORD_MEMORY_BUDGET_MIB",
                                           static_cast<std::int64_t>(a.password_memory_budget >> 20), 1, 1 << 20))
        << 20;
    a.gateway_secret = env.Secret("AUTH_GATEWAY_SECRET", "");
    a.reset_ttl = Seconds(env.Duration("AUTH_PASSWORD_RESET_TTL", a.reset_ttl, minutes(1), hours(24)));
    a.reset_max_per_ttl = static_cast<int>(env.Int("AUTH_PASSWORD_RESET_MAX", a.reset_max_per_ttl, 1, 100));
    a.seed_key = SeedKey(env, "AUTH_SEED_KEY", env.SecretOrDevDefault("AUTH_SEED_KEY", kDevSeedKey));
    a.seed_key_previous = SeedKey(env, "AUTH_SEED_KEY_PREVIOUS", env.Secret("AUTH_SEED_KEY_PREVIOUS", ""));
    const std::string admin_email = env.String("AUTH_ADMIN_EMAIL", "");
    const std::string admin_password = env.Secret("AUTH_ADMIN_PASSWORD", "");
    const std::string admin_name = env.String("AUTH_ADMIN_DISPLAY_NAME", "Administrator");
    if (!admin_email.empty() || !admin_password.empty()) {
        a.admin = AdminSeed{admin_email, admin_password, admin_name};
    }
    // Report every problem at once: the variables' own, then the cross-field checks.
    std::vector<std::string> problems;
    try {
        env.Finish();
    } catch (const core::ConfigError& e) {
        problems = e.problems();
    }
    try {
        a.Validate();
    } catch (const core::ConfigError& e) {
        problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
    if (!problems.empty()) throw core::ConfigError(problems);
    return a;
}

}  // namespace marketplace::auth
