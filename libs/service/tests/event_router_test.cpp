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

TEST_CASE("EventRouter: the topics to consume follow from the registered types' packages", "[service]") {
    using marketplace::service::OwnerTopic;
    CHECK(OwnerTopic("marketplace.payments.v1.EscrowFunded") == "payments.events.v1");
    CHECK(OwnerTopic("marketplace.jobs.v1.ProposalAccepted") == "jobs.events.v1");
    CHECK(OwnerTopic("google.protobuf.Empty").empty());
    CHECK(OwnerTopic("marketplace.").empty());
}

TEST_CASE("EventRouter: domain errors no retry can fix are permanent; the others are retried", "[service]") {
    using marketplace::service::IsPermanent;
    namespace core = marketplace::core;
    CHECK(IsPermanent(core::InvalidArgument("amount", "must be > 0")));
    CHECK(IsPermanent(core::NotFound("milestone m1")));
    CHECK(IsPermanent(core::FailedPrecondition("milestone is paid")));
    CHECK(IsPermanent(core::PermissionDenied("not a party")));
    CHECK_FALSE(IsPermanent(core::Conflict("busy")));
    CHECK_FALSE(IsPermanent(core::Unavailable("database")));
}
