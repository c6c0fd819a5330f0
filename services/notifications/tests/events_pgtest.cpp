// Events to notifications through the service's router, as its consumer applies them: who gets
// what, in order, exactly once, and events that arrive before their contract is known.
#include <catch2/catch.hpp>

#include <pqxx/pqxx>

#include "marketplace/core/ids.hpp"
#include "marketplace/messaging/consumer.hpp"
#include "marketplace/workroom/v1/events.pb.h"
#include "notifications_fixture.hpp"
#include "storage/read_model_store.hpp"

using namespace marketplace;
using namespace marketplace::notifications;
using namespace marketplace::notifications::testing;

namespace {

struct Contract {
    std::string id = core::NewUuidV7();
    std::string client = core::NewUuidV7();
    std::string freelancer = core::NewUuidV7();
    std::string milestone = core::NewUuidV7();

    contracts::v1::ContractCreated Created() const {
        contracts::v1::ContractCreated e;
        e.set_contract_id(id);
        e.set_proposal_id(core::NewUuidV7());
        e.set_client_id(client);
        e.set_freelancer_id(freelancer);
        e.add_milestone_ids(milestone);
        return e;
    }
};

common::v1::Money Eur(std::int64_t minor) {
    common::v1::Money m;
    m.set_minor_units(minor);
    m.set_currency("EUR");
    return m;
}

payments::v1::EscrowFunded Funded(const Contract& c) {
    payments::v1::EscrowFunded e;
    e.set_milestone_id(c.milestone);
    *e.mutable_amount() = Eur(150000);
    e.set_attempt(1);
    return e;
}

contracts::v1::MilestoneSubmitted Submitted(const Contract& c) {
    contracts::v1::MilestoneSubmitted e;
    e.set_milestone_id(c.milestone);
    e.set_contract_id(c.id);
    e.set_auto_release_at("2026-12-05T10:00:00Z");
    return e;
}

/// The user's notification kinds, oldest first.
std::vector<std::string> Kinds(const std::string& user) {
    const auto list = List(user);
    std::vector<std::string> kinds;
    for (int i = list.notifications_size() - 1; i >= 0; --i) kinds.push_back(list.notifications(i).kind());
    return kinds;
}

long Pending() {
    long n = 0;
    InTx([&](pqxx::work& tx) { n = storage::PendingCount(tx); });
    return n;
}

}  // namespace

TEST_CASE("Events: the fixed-price story tells each party what concerns them, in order", "[notifications][pg]") {
    const Contract c;
    Deliver(c.Created());
    Deliver(Funded(c));
    Deliver(Submitted(c));
    contracts::v1::MilestoneAccepted accepted;
    accepted.set_milestone_id(c.milestone);
    accepted.set_contract_id(c.id);
    accepted.set_client_id(c.client);
    *accepted.mutable_amount() = Eur(150000);
    Deliver(accepted);
    payments::v1::EscrowReleased released;
    released.set_milestone_id(c.milestone);
    *released.mutable_amount() = Eur(150000);
    auto* leg = released.add_legs();
    leg->set_kind("payee");
    leg->set_user_id(c.freelancer);
    *leg->mutable_amount() = Eur(135000);
    Deliver(released);
    payments::v1::PayoutCompleted payout;
    payout.set_payout_id(core::NewUuidV7());
    payout.set_user_id(c.freelancer);
    *payout.mutable_amount() = Eur(100000);
    payout.set_outcome("posted");
    Deliver(payout);

    CHECK(Kinds(c.client) == std::vector<std::string>{"contract.created", "milestone.submitted"});
    CHECK(Kinds(c.freelancer) == std::vector<std::string>{"contract.created", "milestone.funded", "milestone.accepted",
                                                          "escrow.released", "payout.completed"});
    const auto freelancer = List(c.freelancer);
    // Newest first; sequences 5..1; the milestone's notifications name its contract.
    for (int i = 0; i < freelancer.notifications_size(); ++i) {
        CHECK(freelancer.notifications(i).sequence() == freelancer.notifications_size() - i);
    }
    CHECK(freelancer.notifications(3).contract_id() == c.id);  // milestone.funded: resolved from the milestone
    CHECK(freelancer.notifications(3).milestone_id() == c.milestone);
    CHECK(freelancer.notifications(1).title() == "Payment released: 1350.00 EUR is in your wallet");
}

TEST_CASE("Events: events that arrive before their contract wait, then are written after it", "[notifications][pg]") {
    const Contract c;
    const long before = Pending();
    const auto funded_id = Deliver(Funded(c));
    Deliver(Submitted(c));
    CHECK(List(c.client).notifications_size() == 0);
    CHECK(List(c.freelancer).notifications_size() == 0);
    CHECK(Pending() == before + 2);

    Deliver(c.Created());
    CHECK(Pending() == before);
    CHECK(Kinds(c.client) == std::vector<std::string>{"contract.created", "milestone.submitted"});
    CHECK(Kinds(c.freelancer) == std::vector<std::string>{"contract.created", "milestone.funded"});
    const auto funded = List(c.freelancer).notifications(0);
    CHECK(funded.source_event_id() == funded_id);
    CHECK(funded.contract_id() == c.id);
}

TEST_CASE("Events: an event delivered twice writes its notifications once", "[notifications][pg]") {
    const Contract c;
    const auto created_id = Deliver(c.Created());
    Deliver(c.Created(), created_id);
    const auto funded_id = Deliver(Funded(c));
    Deliver(Funded(c), funded_id);
    CHECK(Kinds(c.client) == std::vector<std::string>{"contract.created"});
    CHECK(Kinds(c.freelancer) == std::vector<std::string>{"contract.created", "milestone.funded"});
    CHECK(List(c.freelancer).notifications(0).sequence() == 2);
}

TEST_CASE("Events: an event that names no subject is a permanent failure", "[notifications][pg]") {
    payments::v1::EscrowFunded nameless;
    CHECK_THROWS_AS(Deliver(nameless), messaging::PermanentError);
    contracts::v1::ContractCreated partyless;
    partyless.set_contract_id(core::NewUuidV7());
    CHECK_THROWS_AS(Deliver(partyless), messaging::PermanentError);
}

TEST_CASE("Events: a workroom mention lands in the mentioned member's inbox, once", "[notifications][pg]") {
    const Contract c;
    Deliver(c.Created());
    workroom::v1::MemberMentioned e;
    e.set_room_id(core::NewUuidV7());
    e.set_contract_id(c.id);
    e.set_message_id(core::NewUuidV7());
    e.set_author_id(c.client);
    e.set_mentioned_user_id(c.freelancer);
    e.set_excerpt("@freelancer the review is ready");
    const auto id = Deliver(e);
    Deliver(e, id);  // redelivered: nothing new
    const auto inbox = List(c.freelancer);
    REQUIRE(inbox.notifications_size() >= 1);
    CHECK(inbox.notifications(0).kind() == "workroom.mentioned");
    CHECK(inbox.notifications(0).title() == "You were mentioned in the workroom: @freelancer the review is ready");
    CHECK(inbox.notifications(0).contract_id() == c.id);
    CHECK(Kinds(c.client) == std::vector<std::string>{"contract.created"});
    int mentions = 0;
    for (const auto& n : inbox.notifications()) mentions += n.kind() == "workroom.mentioned";
    CHECK(mentions == 1);
}
