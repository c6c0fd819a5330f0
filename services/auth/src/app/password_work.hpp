#pragma once
// Every argon2id computation of the service (hashing a new password, checking one at login), each
// inside a slot of a bounded HashingSlots: when all are taken the call is refused with
// RESOURCE_EXHAUSTED at once. Exposes its counts as metrics:
//   marketplace_auth_password_hashing_limit           gauge    slots
//   marketplace_auth_password_hashing_in_flight       gauge    slots held now
//   marketplace_auth_password_hashing_max_in_flight   gauge    the most slots ever held at once
//   marketplace_auth_password_hashing_refused_total   counter  calls refused because all were held
//   marketplace_auth_password_hashes_total{operation="hash"|"verify"}   counter  argon2id runs
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/hashing_slots.hpp"
#include "domain/password_hasher.hpp"
#include "marketplace/metrics/metrics.hpp"

namespace marketplace::auth {

class PasswordWork final {
public:
    PasswordWork(const PasswordHasher& hasher, int max_concurrent);

    /// Throws core::ResourceExhausted when every slot is held.
    std::string Hash(std::string_view password);
    /// As Hash, or nullopt when every slot is held (for optional work: a rehash after login).
    std::optional<std::string> TryHash(std::string_view password);
    /// A slot for one computation, taken before the work that leads to it; throws
    /// core::ResourceExhausted when every slot is held.
    HashingSlots::Slot Reserve();
    /// Checks `password` against `encoded` (nullopt: against a dummy hash, so an unknown account
    /// costs as much), in the slot the caller reserved.
    bool Verify(const HashingSlots::Slot& reserved, const std::optional<std::string>& encoded,
                std::string_view password);
    bool NeedsRehash(std::string_view encoded) const { return hasher_.NeedsRehash(encoded); }

    const HashingSlots& slots() const noexcept { return slots_; }
    std::uint64_t hashes() const noexcept { return hashes_.load(); }
    std::uint64_t verifications() const noexcept { return verifications_.load(); }

private:
    const PasswordHasher& hasher_;
    HashingSlots slots_;
    std::atomic<std::uint64_t> hashes_{0};
    std::atomic<std::uint64_t> verifications_{0};
    metrics::Registration metrics_;
};

}  // namespace marketplace::auth
