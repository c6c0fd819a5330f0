#include "app/password_work.hpp"

#include "marketplace/core/errors.hpp"

namespace marketplace::auth {
namespace {

metrics::Family Gauge(const std::string& name, const std::string& help, double value) {
    return {name, help, metrics::Type::kGauge, {{{}, value}}};
}

}  // namespace

PasswordWork::PasswordWork(const PasswordHasher& hasher, int max_concurrent) : hasher_(hasher), slots_(max_concurrent) {
    metrics_ = metrics::AddCollector([this] {
        return std::vector<metrics::Family>{
            Gauge("marketplace_auth_password_hashing_limit", "argon2id computations allowed at once.",
                  slots_.capacity()),
            Gauge("marketplace_auth_password_hashing_in_flight", "argon2id computations running now.",
                  slots_.in_flight()),
            Gauge("marketplace_auth_password_hashing_max_in_flight",
                  "The most argon2id computations that ever ran at once.", slots_.max_in_flight()),
            {"marketplace_auth_password_hashing_refused_total",
             "Calls refused with RESOURCE_EXHAUSTED because every argon2id slot was taken.",
             metrics::Type::kCounter,
             {{{}, static_cast<double>(slots_.refused())}}},
            {"marketplace_auth_password_hashes_total",
             "argon2id computations: hashing a new password, or verifying one.",
             metrics::Type::kCounter,
             {{{{"operation", "hash"}}, static_cast<double>(hashes_.load())},
              {{{"operation", "verify"}}, static_cast<double>(verifications_.load())}}},
        };
    });
}

HashingSlots::Slot PasswordWork::Reserve() {
    auto slot = slots_.TryAcquire();
    if (!slot) {
        throw core::ResourceExhausted("too many password checks in progress; try again in a moment",
                                      "every argon2id slot is taken");
    }
    return std::move(*slot);
}

std::string PasswordWork::Hash(std::string_view password) {
    const auto slot = Reserve();
    ++hashes_;
    return hasher_.Hash(password);
}

std::optional<std::string> PasswordWork::TryHash(std::string_view password) {
    const auto slot = slots_.TryAcquire();
    if (!slot) return std::nullopt;
    ++hashes_;
    return hasher_.Hash(password);
}

bool PasswordWork::Verify(const HashingSlots::Slot&, const std::optional<std::string>& encoded,
                          std::string_view password) {
    ++verifications_;
    if (!encoded) {
        hasher_.VerifyDummy(password);
        return false;
    }
    return hasher_.Verify(*encoded, password);
}

}  // namespace marketplace::auth
