#include "domain/hashing_slots.hpp"

#include <algorithm>

namespace marketplace::auth {

HashingSlots::HashingSlots(int capacity) : capacity_(std::max(1, capacity)) {}

std::optional<HashingSlots::Slot> HashingSlots::TryAcquire() {
    int current = in_flight_.load();
    do {
        if (current >= capacity_) {
            ++refused_;
            return std::nullopt;
        }
    } while (!in_flight_.compare_exchange_weak(current, current + 1));
    const int now_held = current + 1;
    int seen = max_in_flight_.load();
    while (seen < now_held && !max_in_flight_.compare_exchange_weak(seen, now_held)) {
    }
    return std::optional<Slot>(std::in_place, this);
}

int SlotsForBudget(std::uint64_t memory_budget_bytes, std::uint64_t memlimit_bytes, int max_useful) {
    const std::uint64_t by_memory = memlimit_bytes == 0 ? 1 : memory_budget_bytes / memlimit_bytes;
    const auto bounded = std::min<std::uint64_t>(by_memory, static_cast<std::uint64_t>(std::max(1, max_useful)));
    return static_cast<int>(std::max<std::uint64_t>(1, bounded));
}

}  // namespace marketplace::auth
