#include <catch2/catch.hpp>

#include "marketplace/service/event_router.hpp"

using marketplace::service::TypeBelongsToTopic;

TEST_CASE("EventRouter: an event type belongs only to its owner's topic, with or without a prefix", "[service]") {
    CHECK(TypeBelongsToTopic("marketplace.payments.v1.EscrowFunded", "payments.events.v1"));
    CHECK(TypeBelongsToTopic("marketplace.payments.v1.EscrowFunded", "e2e-1a2b.payments.events.v1"));
    CHECK_FALSE(TypeBelongsToTopic("marketplace.payments.v1.EscrowFunded", "jobs.events.v1"));
    CHECK_FALSE(TypeBelongsToTopic("marketplace.payments.v1.EscrowFunded", "e2e-1a2b.jobs.events.v1"));
    // A look-alike topic is not the owner's.
    CHECK_FALSE(TypeBelongsToTopic("marketplace.payments.v1.EscrowFunded", "evilpayments.events.v1"));
    CHECK_FALSE(TypeBelongsToTopic("marketplace.payments.v1.EscrowFunded", "payments.events.v1.dlq"));
    CHECK_FALSE(TypeBelongsToTopic("marketplace.payments.v1.EscrowFunded", ""));
    // Malformed types belong nowhere.
    CHECK_FALSE(TypeBelongsToTopic("payments.v1.EscrowFunded", "payments.events.v1"));
    CHECK_FALSE(TypeBelongsToTopic("marketplace..v1.X", ".events.v1"));
    CHECK_FALSE(TypeBelongsToTopic("marketplace.payments", "payments.events.v1"));
}
