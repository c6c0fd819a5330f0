#pragma once
// A bound on argon2id work in flight. Each hash or verification holds a slot (and the memory
// argon2id fills, AUTH_PASSWORD_MEMLIMIT_KIB); when every slot is taken the caller is refused at once
// rather than queued, so a burst of registrations or logins cannot pile up memory or threads.
#include <atomic>
#include <cstdint>
#include <optional>

namespace marketplace::auth {

class HashingSlots final {
public:
    /// At least 1.
    explicit HashingSlots(int capacity);

    /// A held slot; released when destroyed.
    class Slot final {
    public:
        explicit Slot(HashingSlots* owner) : owner_(owner) {}
        Slot(Slot&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
        Slot& operator=(Slot&&) = delete;
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        ~Slot() {
            if (owner_ != nullptr) owner_->Release();
        }

    private:
        HashingSlots* owner_;
    };

    /// A slot, or nullopt (counted as refused) when all are taken.
    std::optional<Slot> TryAcquire();

    int capacity() const noexcept { return capacity_; }
    int in_flight() const noexcept { return in_flight_.load(); }
    /// The most slots ever held at once.
    int max_in_flight() const noexcept { return max_in_flight_.load(); }
    std::uint64_t refused() const noexcept { return refused_.load(); }

private:
    void Release() noexcept { --in_flight_; }

    int capacity_;
    std::atomic<int> in_flight_{0};
    std::atomic<int> max_in_flight_{0};
    std::atomic<std::uint64_t> refused_{0};
};

/// The number of slots for `memory_budget_bytes` of argon2id memory at `memlimit_bytes` per hash,
/// at most `max_useful` (more than the cores only adds latency); at least 1.
int SlotsForBudget(std::uint64_t memory_budget_bytes, std::uint64_t memlimit_bytes, int max_useful);

}  // namespace marketplace::auth
