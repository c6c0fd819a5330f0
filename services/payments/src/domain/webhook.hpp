#pragma once
// Provider webhooks: the notification body (JSON), its signature, and the checks that make a
// forged or replayed notification change nothing.
//
// The signature header is "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<body>')>" (several
// v1= entries are accepted, one per secret being rotated). A notification is accepted only when a
// v1 entry matches (compared in constant time) and t is within the tolerance of now, in either
// direction; a duplicate is recognised later by the provider's event id.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "marketplace/core/clock.hpp"

namespace marketplace::payments {

/// Hex HMAC-SHA256 of `message` under `secret` (libsodium's crypto_auth_hmacsha256).
std::string HmacSha256Hex(std::string_view secret, std::string_view message);

/// The signature header for `body` signed at `timestamp` (unix seconds).
std::string SignWebhook(std::string_view secret, std::int64_t timestamp, std::string_view body);

/// Throws core::InvalidArgument("signature", ...) for a malformed header, core::Unauthenticated
/// when no v1 entry matches or the timestamp is further than `tolerance` from `now`.
void VerifyWebhook(std::string_view secret, std::string_view header, std::string_view body, core::Clock::TimePoint now,
                   std::chrono::seconds tolerance);

enum class ProviderEventType { kDepositSucceeded, kDepositFailed, kPayoutPaid, kPayoutFailed };

/// "deposit.succeeded", "deposit.failed", "payout.paid", "payout.failed".
std::string_view ProviderEventTypeName(ProviderEventType type);

/// One notification: the provider's event id, what happened, and to which deposit or payout
/// (our id, given to the provider when it was submitted).
struct ProviderEvent {
    std::string id;
    ProviderEventType type = ProviderEventType::kDepositSucceeded;
    std::string reference;
    std::int64_t minor_units = 0;
    std::string currency;
    std::int64_t created = 0;  // unix seconds
    std::string failure_reason;

    bool is_deposit() const noexcept {
        return type == ProviderEventType::kDepositSucceeded || type == ProviderEventType::kDepositFailed;
    }
};

inline constexpr std::size_t kMaxWebhookBodyBytes = 64 * 1024;

/// {"id":...,"type":...,"reference":...,"amount":{"minor_units":...,"currency":...},"created":...,
///  "failure_reason":...}
std::string EncodeProviderEvent(const ProviderEvent& event);
/// Parses a body; throws core::InvalidArgument naming `body` or `body.<field>`.
ProviderEvent DecodeProviderEvent(std::string_view body);

}  // namespace marketplace::payments
