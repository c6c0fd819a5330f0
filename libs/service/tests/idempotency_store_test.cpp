#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>

#include "marketplace/service/idempotency_store.hpp"

using namespace marketplace;

TEST_CASE("Idempotency: keys are kept at least 24 hours", "[rpc][idempotency]") {
    CHECK_THROWS_AS(service::IdempotencyStore(service::IdempotencyOptions{std::chrono::hours(23), nullptr}),
                    std::invalid_argument);
    CHECK_NOTHROW(service::IdempotencyStore(service::IdempotencyOptions{std::chrono::hours(48), nullptr}));
}
