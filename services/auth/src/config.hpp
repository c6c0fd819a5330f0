#pragma once
// The auth service's configuration, from environment variables (defaults work on the local stack).
//
//   AUTH_ISSUER                  iss of access tokens                       marketplace-auth
//   AUTH_ACCESS_TOKEN_TTL        access token lifetime (1m..24h)             15m
//   AUTH_REFRESH_TOKEN_TTL       refresh token lifetime (1h..365d)           30d
//   AUTH_SESSION_MAX_AGE         a session's (family's) absolute lifetime    90d
//   AUTH_KEY_RETENTION           how long a retired signing key still verifies and is listed in the JWKS
//                                (at least the access token TTL plus 1 minute)  24h
//   AUTH_PASSWORD_OPSLIMIT       argon2id passes (1..20)                     2 (libsodium interactive)
//   AUTH_PASSWORD_MEMLIMIT_KIB   argon2id memory in KiB (8..4194304)         65536 (64 MiB, interactive)
//   AUTH_PASSWORD_MAX_CONCURRENT argon2id computations at once; more are RESOURCE_EXHAUSTED
//                                (0: AUTH_PASSWORD_MEMORY_BUDGET_MIB / memlimit, at most 2 per core)  0
//   AUTH_PASSWORD_MEMORY_BUDGET_MIB   memory argon2id may use at once (sizes the default above)  256
//   AUTH_LOGIN_MAX_FAILURES      failed logins of one account from one source address within the
//                                window before that address gets RESOURCE_EXHAUSTED for it   5
//   AUTH_LOGIN_MAX_FAILURES_PER_SOURCE   failed logins from one source address, any account   20
//   AUTH_REGISTER_MAX_TAKEN_PER_SOURCE   registrations answered "already registered" per source
//                                address within the window before it gets RESOURCE_EXHAUSTED  10
//   AUTH_LOGIN_FAILURE_WINDOW    the throttling window                       15m
//   AUTH_GATEWAY_SECRET / AUTH_GATEWAY_SECRET_FILE   the secret the gateway sends (x-gateway-secret)
//                                with the client's address (x-client-address); unset: the address
//                                is never taken from metadata, the gRPC peer counts   (unset)
//   AUTH_PASSWORD_RESET_TTL      how long a password reset token works (1m..24h)   30m
//   AUTH_PASSWORD_RESET_MAX      reset tokens sent to one account per reset TTL; more requests
//                                are answered the same but send nothing (1..100)     3
//   AUTH_SEED_KEY / AUTH_SEED_KEY_FILE   32 bytes as 64 hex digits: seals the signing keys' private
//                                seeds at rest (secretbox). Required unless MARKETPLACE_DEV_MODE=1,
//                                which falls back to a well-known development key
//   AUTH_SEED_KEY_PREVIOUS / AUTH_SEED_KEY_PREVIOUS_FILE   during a rotation of AUTH_SEED_KEY: the
//                                old key; seeds sealed with it are resealed with the new key at start
//   AUTH_ADMIN_EMAIL             seed this admin at start when set (no admin otherwise)
//   AUTH_ADMIN_PASSWORD / AUTH_ADMIN_PASSWORD_FILE   its password (required with AUTH_ADMIN_EMAIL)
//   AUTH_ADMIN_DISPLAY_NAME      its display name                            Administrator
// plus the runtime's PG_*, KAFKA_*, GRPC_LISTEN (default 127.0.0.1:7101), ...
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "domain/login_throttle.hpp"
#include "domain/password_hasher.hpp"
#include "marketplace/core/config.hpp"
#include "marketplace/service/runtime.hpp"
#include "marketplace/tokens/jwt.hpp"

namespace marketplace::auth {

inline constexpr int kDefaultGrpcPort = 7101;

struct AdminSeed {
    std::string email;
    std::string password;
    std::string display_name = "Administrator";
};

struct AuthOptions {
    std::string issuer = tokens::kDefaultIssuer;
    std::chrono::seconds access_ttl = tokens::kDefaultAccessTokenTtl;
    std::chrono::seconds refresh_ttl = std::chrono::hours(24 * 30);
    std::chrono::seconds session_max_age = std::chrono::hours(24 * 90);
    std::chrono::seconds key_retention = std::chrono::hours(24);
    PasswordCost password_cost = PasswordCost::Interactive();
    /// 0: derived from password_memory_budget (SlotsForBudget).
    int password_max_concurrent = 0;
    std::uint64_t password_memory_budget = 256ULL * 1024 * 1024;
    ThrottlePolicy account_throttle{5, std::chrono::minutes(15)};
    ThrottlePolicy source_throttle{20, std::chrono::minutes(15)};
    ThrottlePolicy registration_throttle{10, std::chrono::minutes(15)};
    std::string gateway_secret;
    std::chrono::seconds reset_ttl = std::chrono::minutes(30);
    int reset_max_per_ttl = 3;
    /// AUTH_SEED_KEY and, during a rotation, AUTH_SEED_KEY_PREVIOUS (raw 32 bytes; empty when unset).
    std::string seed_key;
    std::string seed_key_previous;
    std::optional<AdminSeed> admin;

    /// The argon2id slots: password_max_concurrent, or derived from the memory budget.
    int PasswordSlots() const;

    /// Throws core::ConfigError when the options contradict each other or the admin seed is invalid.
    void Validate() const;
    /// Reads the AUTH_* variables and finishes `env` (every problem so far reported at once, together with
    /// Validate()'s cross-field checks).
    static AuthOptions FromEnv(core::EnvReader& env);
};

struct AuthConfig {
    service::RuntimeConfig runtime;
    AuthOptions auth;

    /// Reads every variable above; problems are collected by `env` (call env.Finish()), and the
    /// cross-field checks of AuthOptions::Validate run here too.
    static AuthConfig FromEnv(core::EnvReader& env);
};

}  // namespace marketplace::auth
