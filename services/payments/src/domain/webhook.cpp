#include "domain/webhook.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "marketplace/core/errors.hpp"
#include "marketplace/core/ids.hpp"

namespace marketplace::payments {
namespace {

using Mac = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

void EnsureSodium() {
    static const int ready = sodium_init();
    if (ready < 0) throw std::runtime_error("libsodium failed to initialise");
}

Mac ComputeMac(std::string_view secret, std::string_view message) {
    EnsureSodium();
    crypto_auth_hmacsha256_state state;
    Mac mac{};
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    crypto_auth_hmacsha256_final(&state, mac.data());
    sodium_memzero(&state, sizeof state);
    return mac;
}

std::string SignedPayload(std::int64_t timestamp, std::string_view body) {
    std::string payload = std::to_string(timestamp);
    payload += '.';
    payload.append(body);
    return payload;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

const std::array kTypes{ProviderEventType::kDepositSucceeded, ProviderEventType::kDepositFailed,
                        ProviderEventType::kPayoutPaid, ProviderEventType::kPayoutFailed};

}  // namespace

std::string HmacSha256Hex(std::string_view secret, std::string_view message) {
    const Mac mac = ComputeMac(secret, message);
    std::string hex(mac.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
    hex.pop_back();
    return hex;
}

std::string SignWebhook(std::string_view secret, std::int64_t timestamp, std::string_view body) {
    return "t=" + std::to_string(timestamp) + ",v1=" + HmacSha256Hex(secret, SignedPayload(timestamp, body));
}

void VerifyWebhook(std::string_view secret, std::string_view header, std::string_view body, core::Clock::TimePoint now,
                   std::chrono::seconds tolerance) {
    if (header.empty()) throw core::InvalidArgument("signature", "is required");
    if (header.size() > 1024) throw core::InvalidArgument("signature", "is too long");
    std::optional<std::int64_t> timestamp;
    std::vector<std::string_view> candidates;
    std::string_view rest = header;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view item = Trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos)
            throw core::InvalidArgument("signature", "must read t=<unix seconds>,v1=<hex>");
        const std::string_view name = item.substr(0, eq);
        const std::string_view value = item.substr(eq + 1);
        if (name == "t") {
            if (value.empty() || value.size() > 12 || value.find_first_not_of("0123456789") != std::string_view::npos) {
                throw core::InvalidArgument("signature", "t must be unix seconds");
            }
            timestamp = std::strtoll(std::string(value).c_str(), nullptr, 10);
        } else if (name == "v1") {
            candidates.push_back(value);
        }  // other schemes are ignored, as providers add them over time
    }
    if (!timestamp) throw core::InvalidArgument("signature", "has no t=<unix seconds>");
    if (candidates.empty()) throw core::InvalidArgument("signature", "has no v1=<hex> entry");

    const Mac expected = ComputeMac(secret, SignedPayload(*timestamp, body));
    bool matched = false;
    for (std::string_view hex : candidates) {
        Mac given{};
        std::size_t length = 0;
        if (hex.size() != given.size() * 2) continue;
        if (sodium_hex2bin(given.data(), given.size(), hex.data(), hex.size(), nullptr, &length, nullptr) != 0 ||
            length != given.size()) {
            continue;
        }
        if (sodium_memcmp(given.data(), expected.data(), given.size()) == 0) matched = true;
    }
    if (!matched) throw core::Unauthenticated("webhook signature does not verify");

    const auto now_seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::int64_t age = now_seconds - *timestamp;
    if (age > tolerance.count()) {
        throw core::Unauthenticated("webhook is too old: signed " + std::to_string(age) + " s ago, the limit is " +
                                    std::to_string(tolerance.count()) + " s");
    }
    if (-age > tolerance.count()) {
        throw core::Unauthenticated("webhook timestamp is " + std::to_string(-age) + " s in the future");
    }
}

std::string_view ProviderEventTypeName(ProviderEventType type) {
    switch (type) {
        case ProviderEventType::kDepositSucceeded:
            return "deposit.succeeded";
        case ProviderEventType::kDepositFailed:
            return "deposit.failed";
        case ProviderEventType::kPayoutPaid:
            return "payout.paid";
        case ProviderEventType::kPayoutFailed:
            return "payout.failed";
    }
    return "unknown";
}

std::string EncodeProviderEvent(const ProviderEvent& event) {
    nlohmann::json j;
    j["id"] = event.id;
    j["type"] = std::string(ProviderEventTypeName(event.type));
    j["reference"] = event.reference;
    j["amount"] = {{"minor_units", event.minor_units}, {"currency", event.currency}};
    j["created"] = event.created;
    if (!event.failure_reason.empty()) j["failure_reason"] = event.failure_reason;
    return j.dump();
}

ProviderEvent DecodeProviderEvent(std::string_view body) {
    if (body.empty()) throw core::InvalidArgument("body", "is required");
    if (body.size() > kMaxWebhookBodyBytes) throw core::InvalidArgument("body", "is larger than 64 KiB");
    const auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) throw core::InvalidArgument("body", "must be a JSON object");

    auto text = [&](const nlohmann::json& obj, const char* key, const std::string& field, std::size_t max) {
        const auto it = obj.find(key);
        if (it == obj.end() || !it->is_string()) throw core::InvalidArgument(field, "must be a string");
        auto value = it->get<std::string>();
        if (value.size() > max) throw core::InvalidArgument(field, "is longer than " + std::to_string(max));
        return value;
    };
    auto integer = [&](const nlohmann::json& obj, const char* key, const std::string& field) {
        const auto it = obj.find(key);
        if (it == obj.end() || !it->is_number_integer()) throw core::InvalidArgument(field, "must be an integer");
        if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
            throw core::InvalidArgument(field, "overflows int64");
        }
        return it->get<std::int64_t>();
    };

    ProviderEvent event;
    event.id = text(j, "id", "body.id", 255);
    if (event.id.empty()) throw core::InvalidArgument("body.id", "must not be empty");
    const std::string type = text(j, "type", "body.type", 64);
    bool known = false;
    for (auto t : kTypes) {
        if (ProviderEventTypeName(t) == type) {
            event.type = t;
            known = true;
        }
    }
    if (!known) throw core::InvalidArgument("body.type", "unknown event type '" + type + "'");
    event.reference = text(j, "reference", "body.reference", 64);
    core::RequireUuid(event.reference, "body.reference");
    const auto amount = j.find("amount");
    if (amount == j.end() || !amount->is_object()) throw core::InvalidArgument("body.amount", "must be an object");
    event.minor_units = integer(*amount, "minor_units", "body.amount.minor_units");
    event.currency = text(*amount, "currency", "body.amount.currency", 3);
    event.created = integer(j, "created", "body.created");
    if (j.contains("failure_reason")) event.failure_reason = text(j, "failure_reason", "body.failure_reason", 500);
    return event;
}

}  // namespace marketplace::payments
